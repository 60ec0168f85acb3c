package flags

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
)

const ldToken = "api-0123-secret-token"

// fakeLD is a LaunchDarkly REST API v2 that checks requests the way the
// documentation describes them and answers in the documented shapes.
type fakeLD struct {
	t       *testing.T
	mu      sync.Mutex
	version int64
	on      map[string]bool // env -> on
	patches []string        // bodies of accepted PATCHes
	calls   []string        // "METHOD path?query"
	reject  string          // when set, every request gets 401 with this body
}

func newFakeLD(t *testing.T) (*fakeLD, *httptest.Server) {
	f := &fakeLD{t: t, version: 7, on: map[string]bool{"production": true, "staging": true}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func ldError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%q,"message":%q,"id":"30ce6058"}`, code, msg)
}

func (f *fakeLD) flagJSON(key, env string) map[string]any {
	envs := map[string]any{}
	for e, on := range f.on {
		if env == "" || e == env {
			envs[e] = map[string]any{"on": on, "offVariation": 1, "fallthrough": map[string]any{"variation": 0},
				"lastModified": int64(1764236400000), "_environmentName": e}
		}
	}
	return map[string]any{
		"key": key, "name": key, "kind": "boolean", "_version": f.version,
		"variations":   []map[string]any{{"_id": "v0", "value": true, "name": "On"}, {"_id": "v1", "value": false, "name": "Off"}},
		"environments": envs,
	}
}

func (f *fakeLD) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.RequestURI())
	if f.reject != "" {
		ldError(w, http.StatusUnauthorized, "unauthorized", f.reject)
		return
	}
	if got := r.Header.Get("Authorization"); got != ldToken {
		ldError(w, http.StatusUnauthorized, "unauthorized", "Invalid access token")
		return
	}
	if got := r.Header.Get("LD-API-Version"); got != ldAPIVersion {
		f.t.Errorf("LD-API-Version = %q", got)
	}
	const flagPrefix = "/api/v2/flags/proj/"
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/flags/proj":
		env := r.URL.Query().Get("env")
		if r.URL.Query().Get("limit") != "100" {
			f.t.Errorf("list without limit=100: %s", r.URL.RawQuery)
		}
		body := map[string]any{"totalCount": 3}
		if r.URL.Query().Get("offset") == "" {
			body["items"] = []any{f.flagJSON("kill-me", env), f.flagJSON("other", env)}
			body["_links"] = map[string]any{"next": map[string]any{"href": "/api/v2/flags/proj?env=" + env + "&limit=100&offset=2", "type": "application/json"}}
		} else {
			body["items"] = []any{f.flagJSON("third\x1b[2J", env)}
			body["_links"] = map[string]any{"self": map[string]any{"href": "/api/v2/flags/proj"}}
		}
		_ = json.NewEncoder(w).Encode(body)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, flagPrefix):
		key := strings.TrimPrefix(r.URL.Path, flagPrefix)
		if key != "kill-me" {
			ldError(w, http.StatusNotFound, "not_found", "Unknown resource")
			return
		}
		_ = json.NewEncoder(w).Encode(f.flagJSON(key, r.URL.Query().Get("env")))
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, flagPrefix):
		// Without the domain-model parameter the body is read as a JSON
		// Patch, which a semantic patch object is not.
		if r.Header.Get("Content-Type") != "application/json; domain-model=launchdarkly.semanticpatch" {
			ldError(w, http.StatusBadRequest, "invalid_request", "Invalid JSON patch: expected an array of operations")
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var body struct {
			EnvironmentKey string `json:"environmentKey"`
			Comment        string `json:"comment"`
			Instructions   []struct {
				Kind string `json:"kind"`
			} `json:"instructions"`
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil || len(body.Instructions) != 1 {
			ldError(w, http.StatusBadRequest, "invalid_request", "bad semantic patch")
			return
		}
		if _, ok := f.on[body.EnvironmentKey]; !ok {
			ldError(w, http.StatusBadRequest, "invalid_request", "environmentKey is required")
			return
		}
		switch body.Instructions[0].Kind {
		case "turnFlagOff":
			f.on[body.EnvironmentKey] = false
		case "turnFlagOn":
			f.on[body.EnvironmentKey] = true
		default:
			ldError(w, http.StatusBadRequest, "invalid_request", "unknown instruction")
			return
		}
		f.version++
		f.patches = append(f.patches, string(raw))
		_ = json.NewEncoder(w).Encode(f.flagJSON(strings.TrimPrefix(r.URL.Path, flagPrefix), ""))
	default:
		ldError(w, http.StatusMethodNotAllowed, "method_not_allowed", "no")
	}
}

func newLD(t *testing.T, url string) *LaunchDarkly {
	t.Helper()
	return NewLaunchDarkly(base{name: "ld", env: "production", timeout: 2 * time.Second},
		url, "proj", func() (string, error) { return ldToken, nil })
}

func TestLaunchDarklyKillSendsTheDocumentedSemanticPatch(t *testing.T) {
	fake, srv := newFakeLD(t)
	p := newLD(t, srv.URL)
	ctx := context.Background()
	plan, err := p.Plan(ctx, Change{Key: "kill-me", Comment: "2026-11-27-db: DB overloaded"})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Before.State != "on" || plan.After.State != "off" || plan.Before.Version != "7" {
		t.Errorf("plan %q → %q at version %q", plan.Before.State, plan.After.State, plan.Before.Version)
	}
	got, err := p.Apply(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"comment":"2026-11-27-db: DB overloaded","environmentKey":"production","instructions":[{"kind":"turnFlagOff"}]}`
	if len(fake.patches) != 1 || fake.patches[0] != want {
		t.Errorf("PATCH bodies %q\nwant [%s]", fake.patches, want)
	}
	if got.On || got.State != "off (variation Off)" || got.Value != false || got.Version != "8" {
		t.Errorf("answer read as %+v", got)
	}
	if fake.on["staging"] != true {
		t.Error("another environment was changed")
	}
	// Restore from the journaled undo turns it back on.
	plan, err = p.Plan(ctx, Change{Key: "kill-me", Restore: jsonRoundTrip(t, plan.Undo)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fake.patches[1], `"kind":"turnFlagOn"`) || !fake.on["production"] {
		t.Errorf("restore sent %q", fake.patches[1])
	}
}

func TestLaunchDarklyAnswers400WithoutTheSemanticPatchContentType(t *testing.T) {
	_, srv := newFakeLD(t)
	p := newLD(t, srv.URL)
	body := map[string]any{"environmentKey": "production", "instructions": []map[string]string{{"kind": "turnFlagOff"}}}
	_, status, err := p.api.call(context.Background(), http.MethodPatch, p.flagPath("kill-me"), body, "application/json", p.header())
	if status != http.StatusBadRequest || err == nil || !strings.Contains(err.Error(), "HTTP 400") || !strings.Contains(err.Error(), "Invalid JSON patch") {
		t.Errorf("plain JSON PATCH: status %d, err %v; want the 400 LaunchDarkly gives", status, err)
	}
}

func TestLaunchDarklyRefusesWhenTheVersionMovedSincePreview(t *testing.T) {
	fake, srv := newFakeLD(t)
	p := newLD(t, srv.URL)
	plan, err := p.Plan(context.Background(), Change{Key: "kill-me"})
	if err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	fake.version++ // a colleague edited the flag's rules meanwhile
	fake.mu.Unlock()
	_, err = p.Apply(context.Background(), plan)
	var ce *ConflictError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "_version 7 → 8") {
		t.Fatalf("err = %v; want a conflict naming the versions", err)
	}
	if len(fake.patches) != 0 {
		t.Error("a PATCH was sent despite the conflict")
	}
}

func TestLaunchDarklyListFollowsPagesAndSanitizes(t *testing.T) {
	fake, srv := newFakeLD(t)
	p := newLD(t, srv.URL)
	fs, err := p.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range fs {
		keys = append(keys, f.Key)
	}
	if strings.Join(keys, ",") != "kill-me,other,third" {
		t.Errorf("keys %q (calls %q)", keys, fake.calls)
	}
	if fs[0].LastChange.IsZero() || fs[0].Env != "production" || fs[0].Source != "ld" {
		t.Errorf("flag %+v", fs[0])
	}
}

func TestLaunchDarklyErrors(t *testing.T) {
	fake, srv := newFakeLD(t)
	p := newLD(t, srv.URL)
	_, err := p.Get(context.Background(), "nope")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown flag: %v; want ErrNotFound", err)
	}
	fake.reject = "token " + ldToken + " is not valid"
	_, err = p.Get(context.Background(), "kill-me")
	if err == nil || strings.Contains(err.Error(), ldToken) || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "token_env") {
		t.Errorf("401 error = %v; want status and a hint, without the token", err)
	}
	if _, err := p.Plan(context.Background(), Change{Key: "kill-me", DropTargeting: true}); err == nil {
		t.Error("--drop-targeting accepted for LaunchDarkly")
	}
}
