package flags

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// LaunchDarkly talks to the LaunchDarkly REST API v2. The kill switch turns
// the flag's targeting off in one environment, so every context gets its
// off variation.
type LaunchDarkly struct {
	base
	api     apiClient
	project string
}

// ldAPIVersion pins the REST API version so a token created for an older
// version cannot change the answers' shape.
const ldAPIVersion = "20240415"

// semanticPatch is the Content-Type of a semantic patch; without the
// domain-model parameter LaunchDarkly reads the body as a JSON Patch and
// answers 400.
const semanticPatch = "application/json; domain-model=launchdarkly.semanticpatch"

// maxLDPages bounds how many pages of flags List follows.
const maxLDPages = 50

// NewLaunchDarkly returns the provider for one project and environment.
func NewLaunchDarkly(b base, rawURL, project string, token func() (string, error)) *LaunchDarkly {
	b.typ = TypeLaunchDarkly
	if rawURL == "" {
		rawURL = "https://app.launchdarkly.com"
	}
	api := newAPIClient(rawURL, b.timeout, token)
	api.hint = "(check the access token in token_env/token_file: it needs writer access to the project)"
	return &LaunchDarkly{base: b, api: api, project: project}
}

type ldFlag struct {
	Key        string `json:"key"`
	Version    int64  `json:"_version"`
	Variations []struct {
		Value any    `json:"value"`
		Name  string `json:"name"`
	} `json:"variations"`
	Environments map[string]struct {
		On           bool  `json:"on"`
		OffVariation *int  `json:"offVariation"`
		LastModified int64 `json:"lastModified"`
		Fallthrough  *struct {
			Variation *int `json:"variation"`
		} `json:"fallthrough"`
	} `json:"environments"`
}

func (p *LaunchDarkly) header() http.Header {
	return http.Header{"Ld-Api-Version": {ldAPIVersion}}
}

func (p *LaunchDarkly) flagPath(key string) string {
	return "/api/v2/flags/" + url.PathEscape(p.project) + "/" + url.PathEscape(key)
}

func (p *LaunchDarkly) envQuery() string { return "?env=" + url.QueryEscape(p.env) }

// view is the flag in the configured environment; ok is false when the
// answer does not include it.
func (p *LaunchDarkly) view(f ldFlag) (Flag, bool) {
	e, ok := f.Environments[p.env]
	if !ok {
		return Flag{}, false
	}
	fl := Flag{Source: p.name, Provider: p.typ, Key: clean(f.Key), Env: clean(p.env), On: e.On,
		State: onOff(e.On), Version: strconv.FormatInt(f.Version, 10)}
	if e.LastModified > 0 {
		fl.LastChange = time.UnixMilli(e.LastModified).UTC()
	}
	// The value clients get is predictable when the flag serves one
	// variation to everyone: the off variation, or an on flag whose
	// fallthrough is a single variation (rules may still differ).
	idx := e.OffVariation
	if e.On {
		idx = nil
		if e.Fallthrough != nil {
			idx = e.Fallthrough.Variation
		}
	}
	if idx != nil && *idx >= 0 && *idx < len(f.Variations) {
		v := f.Variations[*idx]
		fl.Value = v.Value
		if !e.On && v.Name != "" {
			fl.State = "off (variation " + clean(v.Name) + ")"
		}
	}
	return fl, true
}

// List returns the project's flags in the configured environment,
// following the API's pagination.
func (p *LaunchDarkly) List(ctx context.Context) ([]Flag, error) {
	path := "/api/v2/flags/" + url.PathEscape(p.project) + p.envQuery() + "&limit=100"
	var out []Flag
	for page := 0; path != ""; page++ {
		if page == maxLDPages {
			return out, fmt.Errorf("launchdarkly %s: more than %d pages of flags; showing the first %d", p.name, maxLDPages, len(out))
		}
		data, _, err := p.api.call(ctx, http.MethodGet, path, nil, "", p.header())
		if err != nil {
			return nil, fmt.Errorf("launchdarkly %s: %w", p.name, err)
		}
		var body struct {
			Items []ldFlag `json:"items"`
			Links struct {
				Next *struct {
					Href string `json:"href"`
				} `json:"next"`
			} `json:"_links"`
		}
		if err := decode(data, &body, "launchdarkly "+p.name+": list flags"); err != nil {
			return nil, err
		}
		for _, f := range body.Items {
			if fl, ok := p.view(f); ok {
				out = append(out, fl)
			}
		}
		path = ""
		if body.Links.Next != nil && len(body.Items) > 0 {
			// Only follow a relative link on the same API: the token
			// must never be sent to a host the server names.
			if h := body.Links.Next.Href; strings.HasPrefix(h, "/api/v2/") {
				path = h
			}
		}
	}
	return out, nil
}

// Get reads one flag in the configured environment.
func (p *LaunchDarkly) Get(ctx context.Context, key string) (Flag, error) {
	data, status, err := p.api.call(ctx, http.MethodGet, p.flagPath(key)+p.envQuery(), nil, "", p.header())
	if status == http.StatusNotFound {
		return Flag{}, fmt.Errorf("launchdarkly %s: %w: no flag %q in project %q", p.name, ErrNotFound, clean(key), clean(p.project))
	}
	if err != nil {
		return Flag{}, fmt.Errorf("launchdarkly %s: %w", p.name, err)
	}
	return p.parseOne(data, key)
}

func (p *LaunchDarkly) parseOne(data []byte, key string) (Flag, error) {
	var f ldFlag
	if err := decode(data, &f, "launchdarkly "+p.name+": read flag"); err != nil {
		return Flag{}, err
	}
	fl, ok := p.view(f)
	if !ok {
		return Flag{}, fmt.Errorf("launchdarkly %s: flag %q has no environment %q (check flags[].environment)", p.name, clean(key), clean(p.env))
	}
	return fl, nil
}

func (p *LaunchDarkly) toggle() toggle {
	return toggle{get: p.Get, what: "targeting in " + clean(p.env),
		after: func(f Flag, on bool) Flag {
			f.On, f.State, f.Value, f.Version = on, onOff(on), nil, ""
			return f
		},
		moved: func(was, now Flag) string { return "_version " + was.Version + " → " + now.Version },
	}
}

// Plan reads the flag; turning targeting off or on changes nothing else.
func (p *LaunchDarkly) Plan(ctx context.Context, c Change) (Plan, error) {
	return p.toggle().plan(ctx, c, "LaunchDarkly")
}

// Apply re-reads the flag, refuses if its _version moved since the preview,
// and sends the semantic patch. LaunchDarkly documents no version
// precondition for semantic patches, so the re-read is the check.
func (p *LaunchDarkly) Apply(ctx context.Context, plan Plan) (Flag, error) {
	if plan.NoOp {
		return plan.After, nil
	}
	if err := p.toggle().recheck(ctx, plan); err != nil {
		return Flag{}, err
	}
	kind := "turnFlagOff"
	if plan.After.On {
		kind = "turnFlagOn"
	}
	body := map[string]any{
		"environmentKey": p.env,
		"instructions":   []map[string]string{{"kind": kind}},
	}
	if plan.Change.Comment != "" {
		body["comment"] = plan.Change.Comment
	}
	data, status, err := p.api.call(ctx, http.MethodPatch, p.flagPath(plan.Change.Key), body, semanticPatch, p.header())
	if status == http.StatusConflict {
		return Flag{}, &ConflictError{Flag: plan.Before.Name(), Was: plan.Before.State, Now: "unknown",
			Different: "LaunchDarkly reported a concurrent change (409)"}
	}
	if err != nil {
		return Flag{}, fmt.Errorf("launchdarkly %s: %w", p.name, err)
	}
	// The answer is the updated flag, but only with every environment
	// when asked; fall back to the plan if ours is missing.
	if got, err := p.parseOne(data, plan.Change.Key); err == nil {
		return got, nil
	}
	return plan.After, nil
}
