package flags

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Unleash talks to the Unleash Admin API. A flag is on when its
// environment is enabled; the kill switch disables the environment, which
// every SDK sees on its next poll.
type Unleash struct {
	base
	api     apiClient
	project string
}

// NewUnleash returns the provider for one project and environment.
func NewUnleash(b base, rawURL, project string, token func() (string, error)) *Unleash {
	b.typ = TypeUnleash
	if project == "" {
		project = "default"
	}
	api := newAPIClient(rawURL, b.timeout, token)
	api.hint = "(check the admin token in token_env/token_file: it needs admin or project write access)"
	return &Unleash{base: b, api: api, project: project}
}

type unleashEnv struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
}

type unleashFeature struct {
	Name         string       `json:"name"`
	Environments []unleashEnv `json:"environments"`
}

func (p *Unleash) featuresPath() string {
	return "/api/admin/projects/" + url.PathEscape(p.project) + "/features"
}

// view is the flag in the configured environment; ok is false when the
// feature has no such environment.
func (p *Unleash) view(f unleashFeature) (Flag, bool) {
	for _, e := range f.Environments {
		if e.Name != p.env {
			continue
		}
		fl := Flag{Source: p.name, Provider: p.typ, Key: clean(f.Name), Env: clean(p.env), On: e.Enabled,
			State: "off", Version: "enabled=" + strconv.FormatBool(e.Enabled), Value: false}
		if e.Enabled {
			fl.State = "on"
			// An enabled Unleash flag evaluates by its strategies: the
			// value clients get is not predictable from here.
			fl.Value = nil
		}
		return fl, true
	}
	return Flag{}, false
}

// List returns the project's flags in the configured environment.
func (p *Unleash) List(ctx context.Context) ([]Flag, error) {
	data, _, err := p.api.call(ctx, http.MethodGet, p.featuresPath(), nil, "", nil)
	if err != nil {
		return nil, fmt.Errorf("unleash %s: %w", p.name, err)
	}
	var body struct {
		Features []unleashFeature `json:"features"`
	}
	if err := decode(data, &body, "unleash "+p.name+": list features"); err != nil {
		return nil, err
	}
	out := make([]Flag, 0, len(body.Features))
	for _, f := range body.Features {
		if fl, ok := p.view(f); ok {
			out = append(out, fl)
		}
	}
	return out, nil
}

// Get reads one flag.
func (p *Unleash) Get(ctx context.Context, key string) (Flag, error) {
	data, status, err := p.api.call(ctx, http.MethodGet, p.featuresPath()+"/"+url.PathEscape(key), nil, "", nil)
	if status == http.StatusNotFound {
		return Flag{}, fmt.Errorf("unleash %s: %w: no feature %q in project %q", p.name, ErrNotFound, clean(key), clean(p.project))
	}
	if err != nil {
		return Flag{}, fmt.Errorf("unleash %s: %w", p.name, err)
	}
	var f unleashFeature
	if err := decode(data, &f, "unleash "+p.name+": read feature"); err != nil {
		return Flag{}, err
	}
	fl, ok := p.view(f)
	if !ok {
		return Flag{}, fmt.Errorf("unleash %s: feature %q has no environment %q (check flags[].environment)", p.name, clean(key), clean(p.env))
	}
	return fl, nil
}

func (p *Unleash) toggle() toggle {
	return toggle{get: p.Get, what: "environment " + clean(p.env),
		after: func(f Flag, on bool) Flag {
			f.On, f.State, f.Version, f.Value = on, onOff(on), "enabled="+strconv.FormatBool(on), nil
			if !on {
				f.Value = false
			}
			return f
		},
		moved: func(was, now Flag) string { return "someone switched environment " + clean(p.env) },
	}
}

// Plan reads the flag; turning an environment off or on changes nothing else.
func (p *Unleash) Plan(ctx context.Context, c Change) (Plan, error) {
	return p.toggle().plan(ctx, c, "Unleash")
}

// Apply re-reads the environment's state and switches it if it is still
// as previewed.
func (p *Unleash) Apply(ctx context.Context, plan Plan) (Flag, error) {
	if plan.NoOp {
		return plan.After, nil
	}
	if err := p.toggle().recheck(ctx, plan); err != nil {
		return Flag{}, err
	}
	path := p.featuresPath() + "/" + url.PathEscape(plan.Change.Key) + "/environments/" + url.PathEscape(p.env) + "/" + onOff(plan.After.On)
	if _, _, err := p.api.call(ctx, http.MethodPost, path, nil, "", nil); err != nil {
		return Flag{}, fmt.Errorf("unleash %s: %w", p.name, err)
	}
	return plan.After, nil
}
