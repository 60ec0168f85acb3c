package health

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHTTPCheckVerdicts(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"status":"ok"}`)) })
	mux.HandleFunc("/created", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) })
	mux.HandleFunc("/503", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		_, _ = w.Write([]byte("\x1b[2Jdown for maintenance\nmore"))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { time.Sleep(60 * time.Millisecond) })
	mux.HandleFunc("/auth", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "HEAD" || r.Header.Get("Authorization") != "Bearer s3cret" || r.Header.Get("X-Probe") != "sitrep" {
			w.WriteHeader(401)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	t.Setenv("HEALTH_TOKEN", "Bearer s3cret")

	tests := []struct {
		name       string
		check      *HTTP
		want       State
		wantReason string
		wantStatus int
	}{
		{name: "2xx is up by default", check: &HTTP{URL: "/created"}, want: Up, wantStatus: 201},
		{name: "status outside the expected set is down", check: &HTTP{URL: "/created", Status: []int{200}}, want: Down, wantReason: "HTTP 201, want 200", wantStatus: 201},
		{name: "5xx is down with the body's first line, sanitized", check: &HTTP{URL: "/503"}, want: Down, wantReason: "HTTP 503, want 2xx: down for maintenance", wantStatus: 503},
		{name: "expected 503 is up", check: &HTTP{URL: "/503", Status: []int{200, 503}}, want: Up, wantStatus: 503},
		{name: "body contains", check: &HTTP{URL: "/ok", BodyContains: `"ok"`}, want: Up, wantStatus: 200},
		{name: "body missing text is down", check: &HTTP{URL: "/ok", BodyContains: "healthy"}, want: Down, wantReason: `body does not contain "healthy"`},
		{name: "body regexp", check: &HTTP{URL: "/ok", BodyRegexp: regexp.MustCompile(`"status":\s*"ok"`)}, want: Up},
		{name: "body regexp mismatch is down", check: &HTTP{URL: "/ok", BodyRegexp: regexp.MustCompile(`fail`)}, want: Down, wantReason: "body does not match /fail/"},
		{name: "slower than max_latency is degraded", check: &HTTP{URL: "/slow", MaxLatency: 10 * time.Millisecond}, want: Degraded, wantReason: "slow:"},
		{name: "method, headers and env headers are sent", check: &HTTP{URL: "/auth", Method: "HEAD",
			Headers: map[string]string{"X-Probe": "sitrep"}, HeadersEnv: map[string]string{"Authorization": "HEALTH_TOKEN"}}, want: Up},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.check
			c.Name, c.URL, c.Limit = "api", srv.URL+c.URL, time.Second
			v, err := c.Poll(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			r := v.(Result)
			if r.State != tt.want || !strings.HasPrefix(r.Reason, tt.wantReason) || (tt.wantStatus != 0 && r.Status != tt.wantStatus) {
				t.Fatalf("got %s %q status %d, want %s %q status %d", r.State, r.Reason, r.Status, tt.want, tt.wantReason, tt.wantStatus)
			}
			if r.Latency <= 0 || r.Name != "api" {
				t.Fatalf("result = %+v", r)
			}
			if strings.Contains(r.Reason, "s3cret") || strings.ContainsRune(r.Reason, '\x1b') {
				t.Fatalf("reason leaks a secret or control bytes: %q", r.Reason)
			}
		})
	}
}

func TestMissingHeaderEnvFailsThePollNotTheTarget(t *testing.T) {
	c := HTTP{Name: "api", URL: "http://127.0.0.1:1/", HeadersEnv: map[string]string{"Authorization": "SITREP_TEST_UNSET_VAR"}, Limit: time.Second}
	_, err := c.Poll(context.Background())
	if err == nil || !strings.Contains(err.Error(), "SITREP_TEST_UNSET_VAR") {
		t.Fatalf("err = %v, want it to name the missing variable", err)
	}
}

func TestTCPCheck(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	down := closed.Addr().String()
	closed.Close()
	defer ln.Close()

	for _, tt := range []struct {
		addr   string
		want   State
		reason string
	}{{up, Up, ""}, {down, Down, "connection refused"}} {
		v, err := (&TCP{Name: "db", Addr: tt.addr, Limit: time.Second}).Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		r := v.(Result)
		if r.State != tt.want || !strings.Contains(r.Reason, tt.reason) {
			t.Fatalf("%s: got %s %q, want %s %q", tt.addr, r.State, r.Reason, tt.want, tt.reason)
		}
	}
}
