// Package publishtest is a fake Atlassian Statuspage (REST v1 incidents)
// on 127.0.0.1 for tests of status publishing: it accepts only the
// documented method, path, auth header and body shape, remembers
// incidents so later updates can be checked, and can be told to throttle
// (429), fail or hang.
package publishtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Page is the page id the fake serves.
const Page = "pg1abc"

// Key is the API key the fake accepts.
const Key = "sp-secret-key-123"

// Statuspage is the fake. Lock Mu to change its knobs while requests run.
type Statuspage struct {
	URL string
	t   testing.TB
	// Components are the valid component ids; others get a 422.
	Components map[string]bool

	Mu        sync.Mutex
	Incidents map[string]*Incident
	Requests  []Request // accepted create/update requests, in order
	// Throttle answers this many requests with 429 (+ RetryAfter) first.
	Throttle   int
	RetryAfter string
	// Fail answers every request with this status and FailBody.
	Fail     int
	FailBody string
	// Hang holds every request until the client gives up.
	Hang bool
}

// Incident is a created incident and the updates it received.
type Incident struct {
	Name    string
	Updates []Body
}

// Request is one accepted request.
type Request struct {
	Method, Path string
	Body         Body
}

// Body mirrors the documented {"incident": {...}} fields; anything else is
// reported as a test error.
type Body struct {
	Name                 *string           `json:"name"`
	Status               string            `json:"status"`
	ImpactOverride       *string           `json:"impact_override"`
	Body                 string            `json:"body"`
	ComponentIDs         []string          `json:"component_ids"`
	Components           map[string]string `json:"components"`
	DeliverNotifications *bool             `json:"deliver_notifications"`
}

// New starts the fake; it stops when the test ends.
func New(t testing.TB) *Statuspage {
	f := &Statuspage{t: t, Components: map[string]bool{"cmpapi01": true, "cmpweb02": true}, Incidents: map[string]*Incident{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Log returns the accepted requests so far.
func (f *Statuspage) Log() []Request {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return append([]Request(nil), f.Requests...)
}

func answer(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *Statuspage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body) // read first: only then is a client hang-up noticed
	f.Mu.Lock()
	if f.Hang {
		f.Mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		return
	}
	defer f.Mu.Unlock()
	if f.Fail != 0 {
		w.WriteHeader(f.Fail)
		io.WriteString(w, f.FailBody)
		return
	}
	if r.Header.Get("Authorization") != "OAuth "+Key {
		// Echo the header, as a careless proxy might, so tests prove the
		// key is scrubbed from errors and journal.
		answer(w, http.StatusUnauthorized, map[string]string{"error": "Could not authenticate: " + r.Header.Get("Authorization")})
		return
	}
	if f.Throttle > 0 {
		f.Throttle--
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		answer(w, http.StatusTooManyRequests, map[string]string{"error": "rate limited"})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("statuspage: Content-Type = %q, want application/json", ct)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(raw, &env); err != nil || len(env) != 1 || env["incident"] == nil {
		f.t.Errorf("statuspage: body %s: want exactly {\"incident\": {...}}", raw)
		answer(w, http.StatusBadRequest, map[string]string{"error": "bad body"})
		return
	}
	var body Body
	dec := json.NewDecoder(strings.NewReader(string(env["incident"])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		f.t.Errorf("statuspage: incident body %s: %v", env["incident"], err)
	}
	for _, id := range body.ComponentIDs {
		if !f.Components[id] {
			answer(w, http.StatusUnprocessableEntity, map[string][]string{"error": {"Component ids \x1b[31minvalid\x1b[0m: " + id}})
			return
		}
		if _, ok := body.Components[id]; !ok {
			f.t.Errorf("statuspage: component %s in component_ids but not in components", id)
		}
	}
	base := "/v1/pages/" + Page + "/incidents"
	switch {
	case r.Method == http.MethodPost && r.URL.Path == base:
		if body.Name == nil || *body.Name == "" {
			f.t.Errorf("statuspage: create without a name")
			answer(w, http.StatusUnprocessableEntity, map[string]string{"error": "name can't be blank"})
			return
		}
		id := fmt.Sprintf("inc%03d", len(f.Incidents)+1)
		f.Incidents[id] = &Incident{Name: *body.Name, Updates: []Body{body}}
		f.Requests = append(f.Requests, Request{r.Method, r.URL.Path, body})
		answer(w, http.StatusCreated, map[string]any{"id": id, "name": *body.Name, "status": body.Status})
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, base+"/"):
		id := strings.TrimPrefix(r.URL.Path, base+"/")
		inc, ok := f.Incidents[id]
		if !ok {
			answer(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return
		}
		inc.Updates = append(inc.Updates, body)
		f.Requests = append(f.Requests, Request{r.Method, r.URL.Path, body})
		answer(w, http.StatusOK, map[string]any{"id": id, "status": body.Status})
	default:
		f.t.Errorf("statuspage: unexpected %s %s", r.Method, r.URL.Path)
		answer(w, http.StatusNotFound, map[string]string{"error": "not found"})
	}
}
