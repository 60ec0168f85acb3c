package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
	"github.com/sitrep-dev/sitrep/sources"
)

// Statuspage publishes to an Atlassian Statuspage page (REST API v1): the
// first update of an incident creates a Statuspage incident, every later
// one updates that same incident, whose id the journal keeps.
type Statuspage struct {
	base
	page       string
	api        *url.URL // ends in /
	components map[string]string
	notify     bool
	token      secret
	client     *http.Client
	// backoff is the first wait after a 429 without Retry-After; it doubles.
	backoff time.Duration
	now     func() time.Time
}

// NewStatuspage builds a statuspage target from its config.
func NewStatuspage(t config.StatusTarget) (*Statuspage, error) {
	raw := t.BaseURL
	if raw == "" {
		raw = "https://api.statuspage.io/"
	}
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base_url %q is not an http(s) URL", raw)
	}
	b := newBase(t)
	return &Statuspage{
		base:       b,
		page:       t.Page,
		api:        u,
		components: t.Components,
		notify:     t.Notify == nil || *t.Notify,
		token:      secret{t.TokenEnv, t.TokenFile},
		client:     sources.HTTPClient(b.timeout),
		backoff:    time.Second,
		now:        time.Now,
	}, nil
}

// statuspageIncident is the request body of create and update.
type statuspageIncident struct {
	Name                 string            `json:"name,omitempty"`
	Status               string            `json:"status"`
	ImpactOverride       string            `json:"impact_override,omitempty"`
	Body                 string            `json:"body"`
	ComponentIDs         []string          `json:"component_ids,omitempty"`
	Components           map[string]string `json:"components,omitempty"`
	DeliverNotifications bool              `json:"deliver_notifications"`
}

// Statuspage ids are short lowercase alphanumerics; anything else in a
// journaled ref or an answer is not put into a URL.
var statuspageID = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

// Describe says whether the update creates or updates the incident.
func (s *Statuspage) Describe(u Update) string {
	what := fmt.Sprintf("create incident %q on page %s", sanitize.Line(u.Name()), s.page)
	if u.Ref != "" {
		what = fmt.Sprintf("update incident %s on page %s", sanitize.Line(u.Ref), s.page)
	}
	if s.notify {
		what += " (notifies subscribers)"
	}
	return what
}

// Check verifies every component is mapped to a Statuspage id and the key
// is readable.
func (s *Statuspage) Check(u Update) error {
	var missing []string
	for _, c := range u.Data.Components {
		if _, ok := s.components[c.Name]; !ok {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("component(s) %s have no Statuspage id for status target %q: add each as NAME: COMPONENT_ID under that target's components: in the config (ids are on Statuspage under Components)",
			quoteAll(missing), s.name)
	}
	if u.Ref != "" && !statuspageID.MatchString(u.Ref) {
		return fmt.Errorf("the journaled Statuspage incident id %q is not an id", sanitize.Line(u.Ref))
	}
	_, err := s.token.read()
	return err
}

func (s *Statuspage) request(u Update) (method, path string, body []byte, err error) {
	inc := statuspageIncident{
		Status:               u.Data.State,
		ImpactOverride:       u.Data.Impact,
		Body:                 u.Data.Body,
		DeliverNotifications: s.notify,
	}
	if len(u.Data.Components) > 0 {
		inc.Components = map[string]string{}
		for _, c := range u.Data.Components {
			id := s.components[c.Name]
			inc.ComponentIDs = append(inc.ComponentIDs, id)
			inc.Components[id] = c.Status
		}
		sort.Strings(inc.ComponentIDs)
	}
	path = "v1/pages/" + url.PathEscape(s.page) + "/incidents"
	method = http.MethodPost
	if u.Ref != "" {
		method = http.MethodPatch
		path += "/" + url.PathEscape(u.Ref)
	} else {
		inc.Name = u.Name()
	}
	body, err = json.Marshal(map[string]statuspageIncident{"incident": inc})
	return method, path, body, err
}

// Publish creates or updates the Statuspage incident. A 429 (or 420, which
// Statuspage also uses) is retried after Retry-After, or with doubling
// backoff, for as long as ctx allows.
func (s *Statuspage) Publish(ctx context.Context, u Update) (string, error) {
	if err := s.Check(u); err != nil {
		return "", err
	}
	token, _ := s.token.read()
	ref, err := s.publish(ctx, u, token)
	return ref, scrub(err, token)
}

func (s *Statuspage) publish(ctx context.Context, u Update, token string) (string, error) {
	method, path, body, err := s.request(u)
	if err != nil {
		return "", err
	}
	target := s.api.String() + path
	wait := s.backoff
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequest(method, target, bytes.NewReader(body))
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "OAuth "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, answer, err := send(ctx, s.client, req)
		if err != nil {
			return "", err
		}
		switch code := resp.StatusCode; {
		case code == http.StatusOK || code == http.StatusCreated:
			return s.incidentID(u, answer)
		case code == http.StatusTooManyRequests || code == 420:
			d := retryAfter(resp.Header.Get("Retry-After"), s.now())
			if d < 0 {
				d = wait
				wait *= 2
			}
			if dl, ok := ctx.Deadline(); ok && s.now().Add(d).After(dl) {
				return "", fmt.Errorf("rate limited by Statuspage (HTTP %d, %d attempt(s)); the next try in %s would pass the %s timeout: run `sitrep status retry` in a minute", code, attempt, d.Round(time.Second), s.timeout)
			}
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return "", describe(ctx, ctx.Err())
			case <-t.C:
			}
		default:
			return "", s.statusError(code, answer)
		}
	}
}

// incidentID reads the incident id from a successful answer.
func (s *Statuspage) incidentID(u Update, answer []byte) (string, error) {
	var got struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(answer, &got); err != nil || !statuspageID.MatchString(got.ID) {
		if u.Ref != "" {
			return u.Ref, nil // the update was accepted; the id is the one we sent to
		}
		return "", fmt.Errorf("the incident was accepted but the answer has no incident id%s; check the Statuspage page before retrying, it may exist already", sources.Snippet(answer))
	}
	if u.Ref != "" && got.ID != u.Ref {
		return "", fmt.Errorf("the answer is for Statuspage incident %s, not %s", got.ID, u.Ref)
	}
	return got.ID, nil
}

func (s *Statuspage) statusError(code int, answer []byte) error {
	detail := statuspageMessage(answer)
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("the API key was rejected by Statuspage (HTTP %d)%s: check %s holds a key with access to page %s", code, detail, s.token, s.page)
	case http.StatusNotFound:
		return fmt.Errorf("page %s or its incident was not found on Statuspage (HTTP 404)%s: check the target's page id", s.page, detail)
	case http.StatusUnprocessableEntity:
		return fmt.Errorf("the update was refused by Statuspage (HTTP 422)%s: check the component ids under the target's components: and the state/impact", detail)
	}
	return fmt.Errorf("unexpected answer from Statuspage: HTTP %d%s", code, detail)
}

// statuspageMessage extracts the error text from an answer, which is
// {"error": "..."}, {"error": ["...", ...]} or {"message": "..."}; the
// text is sanitized and shortened, as it comes from outside.
func statuspageMessage(answer []byte) string {
	var e struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	var parts []string
	if json.Unmarshal(answer, &e) == nil {
		var one string
		var many []string
		switch {
		case json.Unmarshal(e.Error, &one) == nil && one != "":
			parts = []string{one}
		case json.Unmarshal(e.Error, &many) == nil:
			parts = many
		}
		if e.Message != "" {
			parts = append(parts, e.Message)
		}
	}
	if len(parts) == 0 {
		return sources.Snippet(answer)
	}
	return sources.Snippet([]byte(strings.Join(parts, "; ")))
}

// maxRetryAfter caps a Retry-After in seconds: a day is past any timeout.
const maxRetryAfter = 24 * 60 * 60

// retryAfter parses a Retry-After header (seconds or an HTTP date); -1 when
// absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return -1
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil && n >= 0 {
		// Capped so a silly value cannot overflow into a negative wait.
		return time.Duration(min(n, maxRetryAfter)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(sanitize.Line(s))
	}
	return strings.Join(q, ", ")
}
