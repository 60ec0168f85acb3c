package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
)

const testPage = "pg1abc"

// fakeStatuspage is Atlassian Statuspage's incidents API as documented
// (REST v1): it accepts only the documented method, path, auth header and
// body shape, and remembers incidents so updates can be checked.
type fakeStatuspage struct {
	t     *testing.T
	key   string
	comps map[string]bool // valid component ids

	mu        sync.Mutex
	incidents map[string]*spIncident
	requests  []spRequest
	// throttle answers this many requests with 429 first.
	throttle   int
	retryAfter string
	// fail answers every request with this status (and failBody).
	fail     int
	failBody string
}

type spIncident struct {
	Name    string
	Updates []spBody
}

type spRequest struct {
	Method, Path string
	Body         spBody
}

// spBody mirrors the documented request body; unknown fields are refused.
type spBody struct {
	Name                 *string           `json:"name"`
	Status               string            `json:"status"`
	ImpactOverride       *string           `json:"impact_override"`
	Body                 string            `json:"body"`
	ComponentIDs         []string          `json:"component_ids"`
	Components           map[string]string `json:"components"`
	DeliverNotifications *bool             `json:"deliver_notifications"`
}

func newFakeStatuspage(t *testing.T) (*fakeStatuspage, *httptest.Server) {
	f := &fakeStatuspage{t: t, key: "sp-secret-key-123", comps: map[string]bool{"cmpapi01": true, "cmpweb02": true}, incidents: map[string]*spIncident{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeStatuspage) answer(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeStatuspage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != 0 {
		w.WriteHeader(f.fail)
		io.WriteString(w, f.failBody)
		return
	}
	if r.Header.Get("Authorization") != "OAuth "+f.key {
		// Statuspage answers 401 with an error object; this one echoes
		// the header it got, as a careless proxy might, to prove sitrep
		// scrubs it.
		f.answer(w, http.StatusUnauthorized, map[string]string{"error": "Could not authenticate: " + r.Header.Get("Authorization")})
		return
	}
	if f.throttle > 0 {
		f.throttle--
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		f.answer(w, http.StatusTooManyRequests, map[string]string{"error": "rate limited"})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var env map[string]json.RawMessage
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &env); err != nil || len(env) != 1 || env["incident"] == nil {
		f.t.Errorf("body %s: want exactly {\"incident\": {...}}", raw)
		f.answer(w, http.StatusBadRequest, map[string]string{"error": "bad body"})
		return
	}
	var body spBody
	dec := json.NewDecoder(strings.NewReader(string(env["incident"])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		f.t.Errorf("incident body %s: %v", env["incident"], err)
	}
	for _, id := range body.ComponentIDs {
		if !f.comps[id] {
			f.answer(w, http.StatusUnprocessableEntity, map[string][]string{"error": {"Component ids \x1b[31minvalid\x1b[0m: " + id}})
			return
		}
		if _, ok := body.Components[id]; !ok {
			f.t.Errorf("component %s in component_ids but not in components", id)
		}
	}
	f.requests = append(f.requests, spRequest{r.Method, r.URL.Path, body})
	base := "/v1/pages/" + testPage + "/incidents"
	switch {
	case r.Method == http.MethodPost && r.URL.Path == base:
		if body.Name == nil || *body.Name == "" {
			f.t.Errorf("create without a name")
		}
		id := fmt.Sprintf("inc%03d", len(f.incidents)+1)
		f.incidents[id] = &spIncident{Name: *body.Name, Updates: []spBody{body}}
		f.answer(w, http.StatusCreated, map[string]any{"id": id, "name": *body.Name, "status": body.Status})
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, base+"/"):
		id := strings.TrimPrefix(r.URL.Path, base+"/")
		inc, ok := f.incidents[id]
		if !ok {
			f.answer(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return
		}
		inc.Updates = append(inc.Updates, body)
		f.answer(w, http.StatusOK, map[string]any{"id": id, "status": body.Status})
	default:
		f.t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		f.answer(w, http.StatusNotFound, map[string]string{"error": "not found"})
	}
}

func (f *fakeStatuspage) log() []spRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]spRequest(nil), f.requests...)
}

func newTestStatuspage(t *testing.T, baseURL string) *Statuspage {
	t.Helper()
	t.Setenv("TEST_SP_KEY", "sp-secret-key-123")
	no := false
	s, err := NewStatuspage(config.StatusTarget{
		Provider: "statuspage", Name: "public", Page: testPage, BaseURL: baseURL,
		Components: map[string]string{"API": "cmpapi01", "Web": "cmpweb02", "Ghost": "nosuchid"},
		Notify:     &no, TokenEnv: "TEST_SP_KEY", Timeout: config.Duration(2 * time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.backoff = 10 * time.Millisecond
	return s
}

func spUpdate(state, body string, comps ...incident.ComponentStatus) Update {
	return Update{
		Data:          incident.StatusData{Phase: "draft", UpdateID: "u-1", State: state, Impact: "major", Body: body, Components: comps},
		IncidentID:    "2026-11-27-api-errors",
		IncidentTitle: "API errors",
		At:            time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC),
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestStatuspageCreatesThenPatchesTheSameIncident(t *testing.T) {
	f, srv := newFakeStatuspage(t)
	s := newTestStatuspage(t, srv.URL) // no trailing slash: added
	u := spUpdate("investigating", "We are investigating errors.", incident.ComponentStatus{Name: "API", Status: "partial_outage"})

	ref, err := s.Publish(ctxTimeout(t, 2*time.Second), u)
	if err != nil {
		t.Fatal(err)
	}
	if ref != "inc001" {
		t.Fatalf("ref = %q, want inc001", ref)
	}
	u2 := spUpdate("identified", "Found it.", incident.ComponentStatus{Name: "API", Status: "degraded_performance"}, incident.ComponentStatus{Name: "Web", Status: "operational"})
	u2.Ref = ref
	if ref2, err := s.Publish(ctxTimeout(t, 2*time.Second), u2); err != nil || ref2 != ref {
		t.Fatalf("update: ref %q err %v, want %q", ref2, err, ref)
	}

	reqs := f.log()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	c := reqs[0]
	if c.Method != http.MethodPost || c.Path != "/v1/pages/pg1abc/incidents" {
		t.Errorf("create was %s %s", c.Method, c.Path)
	}
	if *c.Body.Name != "API errors" || c.Body.Status != "investigating" || *c.Body.ImpactOverride != "major" ||
		c.Body.Body != "We are investigating errors." || *c.Body.DeliverNotifications != false ||
		strings.Join(c.Body.ComponentIDs, ",") != "cmpapi01" || c.Body.Components["cmpapi01"] != "partial_outage" {
		t.Errorf("create body = %+v", c.Body)
	}
	p := reqs[1]
	if p.Method != http.MethodPatch || p.Path != "/v1/pages/pg1abc/incidents/inc001" {
		t.Errorf("update was %s %s", p.Method, p.Path)
	}
	if p.Body.Name != nil {
		t.Errorf("update renamed the incident to %q", *p.Body.Name)
	}
	if p.Body.Status != "identified" || strings.Join(p.Body.ComponentIDs, ",") != "cmpapi01,cmpweb02" ||
		p.Body.Components["cmpweb02"] != "operational" || p.Body.Components["cmpapi01"] != "degraded_performance" {
		t.Errorf("update body = %+v", p.Body)
	}
}

func TestStatuspageErrors(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(f *fakeStatuspage, s *Statuspage, u *Update)
		want      []string // substrings of the error
		wantNot   []string
		requests  int
		timeoutIs bool
	}{
		{
			name:    "401 names the variable, never the key even when the server echoes it",
			setup:   func(f *fakeStatuspage, s *Statuspage, u *Update) { t.Setenv("TEST_SP_KEY", "wrong-key-456") },
			want:    []string{"HTTP 401", "$TEST_SP_KEY", "page pg1abc"},
			wantNot: []string{"wrong-key-456"},
		},
		{
			name: "422 for a bad component id quotes the sanitized server error",
			setup: func(f *fakeStatuspage, s *Statuspage, u *Update) {
				u.Data.Components = []incident.ComponentStatus{{Name: "Ghost", Status: "major_outage"}}
			},
			want:    []string{"HTTP 422", "Component ids invalid: nosuchid", "component ids"},
			wantNot: []string{"\x1b"},
		},
		{
			name: "429 past the timeout gives up at once and says to retry",
			setup: func(f *fakeStatuspage, s *Statuspage, u *Update) {
				f.throttle, f.retryAfter = 5, "3600"
			},
			want: []string{"rate limited", "HTTP 429", "sitrep status retry"},
		},
		{
			name:  "500 is a failure with the status",
			setup: func(f *fakeStatuspage, s *Statuspage, u *Update) { f.fail, f.failBody = 500, "upstream broke" },
			want:  []string{"HTTP 500", "upstream broke"},
		},
		{
			name: "a journaled ref that is not an id is refused before sending",
			setup: func(f *fakeStatuspage, s *Statuspage, u *Update) {
				u.Ref = "../../other"
			},
			want: []string{"not an id"},
		},
		{
			name: "unmapped component names the target and the config key",
			setup: func(f *fakeStatuspage, s *Statuspage, u *Update) {
				u.Data.Components = []incident.ComponentStatus{{Name: "DB", Status: "major_outage"}}
			},
			want: []string{`"DB"`, `target "public"`, "components:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFakeStatuspage(t)
			s := newTestStatuspage(t, srv.URL+"/")
			u := spUpdate("investigating", "x")
			tt.setup(f, s, &u)
			start := time.Now()
			_, err := s.Publish(ctxTimeout(t, 2*time.Second), u)
			if err == nil {
				t.Fatal("no error")
			}
			if time.Since(start) > time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, w := range append(tt.wantNot, "sp-secret-key-123") {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q contains %q", err, w)
				}
			}
		})
	}
}

func TestStatuspageRetries429(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
	}{
		{"honours Retry-After seconds", "0"},
		{"backs off without Retry-After", ""},
		{"honours Retry-After as a date", time.Now().Add(-time.Second).UTC().Format(http.TimeFormat)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFakeStatuspage(t)
			f.throttle, f.retryAfter = 2, tt.retryAfter
			s := newTestStatuspage(t, srv.URL)
			ref, err := s.Publish(ctxTimeout(t, 2*time.Second), spUpdate("investigating", "x"))
			if err != nil || ref != "inc001" {
				t.Fatalf("ref %q err %v", ref, err)
			}
			if n := len(f.log()); n != 1 {
				t.Errorf("%d incidents requests accepted, want 1", n)
			}
		})
	}
}

func TestStatuspageStopsOnCancel(t *testing.T) {
	f, srv := newFakeStatuspage(t)
	f.throttle, f.retryAfter = 100, "1"
	s := newTestStatuspage(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := s.Publish(ctx, spUpdate("investigating", "x"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("returned after %s", d)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", -1},
		{"5", 5 * time.Second},
		{"-3", -1},
		{"soon", -1},
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestStatuspageMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"error":"Could not authenticate"}`, ": Could not authenticate"},
		{`{"error":["a","b"]}`, ": a; b"},
		{`{"message":"nope"}`, ": nope"},
		{`<html>oops</html>`, ": <html>oops</html>"},
		{``, ""},
	}
	for _, tt := range tests {
		if got := statuspageMessage([]byte(tt.in)); got != tt.want {
			t.Errorf("statuspageMessage(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
