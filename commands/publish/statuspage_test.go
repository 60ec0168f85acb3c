package publish

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/commands/publish/publishtest"
	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
)

func newTestStatuspage(t *testing.T, baseURL string) *Statuspage {
	t.Helper()
	t.Setenv("TEST_SP_KEY", publishtest.Key)
	no := false
	s, err := NewStatuspage(config.StatusTarget{
		Provider: "statuspage", Name: "public", Page: publishtest.Page, BaseURL: baseURL,
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
	f := publishtest.New(t)
	s := newTestStatuspage(t, f.URL) // no trailing slash: added
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

	reqs := f.Log()
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
		setup     func(f *publishtest.Statuspage, s *Statuspage, u *Update)
		want      []string // substrings of the error
		wantNot   []string
		requests  int
		timeoutIs bool
	}{
		{
			name:    "401 names the variable, never the key even when the server echoes it",
			setup:   func(f *publishtest.Statuspage, s *Statuspage, u *Update) { t.Setenv("TEST_SP_KEY", "wrong-key-456") },
			want:    []string{"HTTP 401", "$TEST_SP_KEY", "page pg1abc"},
			wantNot: []string{"wrong-key-456"},
		},
		{
			name: "422 for a bad component id quotes the sanitized server error",
			setup: func(f *publishtest.Statuspage, s *Statuspage, u *Update) {
				u.Data.Components = []incident.ComponentStatus{{Name: "Ghost", Status: "major_outage"}}
			},
			want:    []string{"HTTP 422", "Component ids invalid: nosuchid", "component ids"},
			wantNot: []string{"\x1b"},
		},
		{
			name: "429 past the timeout gives up at once and says to retry",
			setup: func(f *publishtest.Statuspage, s *Statuspage, u *Update) {
				f.Throttle, f.RetryAfter = 5, "3600"
			},
			want: []string{"rate limited", "HTTP 429", "sitrep status retry"},
		},
		{
			name:  "500 is a failure with the status",
			setup: func(f *publishtest.Statuspage, s *Statuspage, u *Update) { f.Fail, f.FailBody = 500, "upstream broke" },
			want:  []string{"HTTP 500", "upstream broke"},
		},
		{
			name: "a journaled ref that is not an id is refused before sending",
			setup: func(f *publishtest.Statuspage, s *Statuspage, u *Update) {
				u.Ref = "../../other"
			},
			want: []string{"not an id"},
		},
		{
			name: "unmapped component names the target and the config key",
			setup: func(f *publishtest.Statuspage, s *Statuspage, u *Update) {
				u.Data.Components = []incident.ComponentStatus{{Name: "DB", Status: "major_outage"}}
			},
			want: []string{`"DB"`, `target "public"`, "components:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := publishtest.New(t)
			s := newTestStatuspage(t, f.URL+"/")
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
			f := publishtest.New(t)
			f.Throttle, f.RetryAfter = 2, tt.retryAfter
			s := newTestStatuspage(t, f.URL)
			ref, err := s.Publish(ctxTimeout(t, 2*time.Second), spUpdate("investigating", "x"))
			if err != nil || ref != "inc001" {
				t.Fatalf("ref %q err %v", ref, err)
			}
			if n := len(f.Log()); n != 1 {
				t.Errorf("%d incidents requests accepted, want 1", n)
			}
		})
	}
}

func TestStatuspageStopsOnCancel(t *testing.T) {
	f := publishtest.New(t)
	f.Throttle, f.RetryAfter = 100, "1"
	s := newTestStatuspage(t, f.URL)
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

func TestStatuspageHangIsCutOffByTheTimeout(t *testing.T) {
	f := publishtest.New(t)
	f.Hang = true
	s := newTestStatuspage(t, f.URL)
	start := time.Now()
	_, err := s.Publish(ctxTimeout(t, 200*time.Millisecond), spUpdate("investigating", "x"))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned after %s", d)
	}
}
