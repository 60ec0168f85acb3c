package publish

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
)

func TestWebhookSendsTheConfiguredShape(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		got.Store(string(b))
	}))
	defer srv.Close()
	u := spUpdate("identified", "Found it.", incident.ComponentStatus{Name: "API", Status: "partial_outage"})
	u.Plain, u.Markdown = "Identified\nFound it.\n", "**Identified**\n\nFound it.\n"

	t.Run("slack sends only text", func(t *testing.T) {
		w, err := NewWebhook(config.StatusTarget{Provider: "webhook", URL: srv.URL + "/hook/T000/secretpath", Format: "slack"})
		if err != nil {
			t.Fatal(err)
		}
		if ref, err := w.Publish(ctxTimeout(t, time.Second), u); err != nil || ref != "HTTP 200" {
			t.Fatalf("ref %q err %v", ref, err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(got.Load().(string)), &m); err != nil || len(m) != 1 || m["text"] != u.Plain {
			t.Errorf("body %s", got.Load())
		}
		if d := w.Describe(u); strings.Contains(d, "secretpath") {
			t.Errorf("preview %q shows the URL path", d)
		}
	})
	t.Run("full sends the whole update", func(t *testing.T) {
		w, _ := NewWebhook(config.StatusTarget{Provider: "webhook", URL: srv.URL, Format: "full"})
		if _, err := w.Publish(ctxTimeout(t, time.Second), u); err != nil {
			t.Fatal(err)
		}
		var f FullUpdate
		if err := json.Unmarshal([]byte(got.Load().(string)), &f); err != nil {
			t.Fatal(err)
		}
		if f.State != "identified" || f.Body != "Found it." || f.Incident.ID != "2026-11-27-api-errors" ||
			len(f.Components) != 1 || f.Markdown != u.Markdown || f.Text != u.Plain || f.At != "2026-11-27T10:00:00Z" {
			t.Errorf("full update = %+v", f)
		}
	})
}

func TestWebhookFailures(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
		isDL    bool
	}{
		{"non-2xx names the status and body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "no_service\nmore")
		}, "HTTP 502: no_service", false},
		{"a hung receiver times out", func(w http.ResponseWriter, r *http.Request) {
			// Read the body first: only then does the server notice the
			// client hanging up and cancel r.Context().
			io.Copy(io.Discard, r.Body)
			select {
			case <-hang:
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, "timed out", true},
		{"a redirect to an error page is a failure", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/gone" {
				http.Redirect(w, r, "/gone", http.StatusFound)
				return
			}
			w.WriteHeader(http.StatusNotFound)
		}, "HTTP 404", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			w, _ := NewWebhook(config.StatusTarget{Provider: "webhook", URL: srv.URL + "/services/SECRET123", Timeout: config.Duration(200 * time.Millisecond)})
			_, err := w.Publish(ctxTimeout(t, 200*time.Millisecond), spUpdate("investigating", "x"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET123") {
				t.Errorf("error %q leaks the webhook URL", err)
			}
			if tt.isDL && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err %v is not a deadline", err)
			}
		})
	}
}

func TestWebhookSendsTokenAsBearer(t *testing.T) {
	t.Setenv("TEST_HOOK_TOKEN", "hook-token-789")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer hook-token-789" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, "bad token "+r.Header.Get("Authorization"))
		}
	}))
	defer srv.Close()
	w, _ := NewWebhook(config.StatusTarget{Provider: "webhook", URL: srv.URL, TokenEnv: "TEST_HOOK_TOKEN"})
	if _, err := w.Publish(ctxTimeout(t, time.Second), spUpdate("investigating", "x")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_HOOK_TOKEN", "wrong-token-000")
	_, err := w.Publish(ctxTimeout(t, time.Second), spUpdate("investigating", "x"))
	if err == nil || strings.Contains(err.Error(), "wrong-token-000") || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("err = %v: want a 401 without the token", err)
	}
}

func TestFileAppendsEachUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status.md")
	f := NewFile(config.StatusTarget{Provider: "file", Path: path})
	u := spUpdate("investigating", "x")
	u.Markdown = "**Investigating**\n\nFirst.\n"
	if err := f.Check(u); err != nil {
		t.Fatal(err)
	}
	if ref, err := f.Publish(context.Background(), u); err != nil || ref != path {
		t.Fatalf("ref %q err %v", ref, err)
	}
	u.Markdown = "**Resolved**\n\nDone.\n"
	u.At = u.At.Add(90 * time.Minute)
	if _, err := f.Publish(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := "\n## 2026-11-27 10:00 UTC\n\n**Investigating**\n\nFirst.\n\n## 2026-11-27 11:30 UTC\n\n**Resolved**\n\nDone.\n"
	if string(b) != want {
		t.Errorf("file =\n%q\nwant\n%q", b, want)
	}
}

func TestFileFailures(t *testing.T) {
	dir := t.TempDir()
	missing := NewFile(config.StatusTarget{Provider: "file", Path: filepath.Join(dir, "nope", "status.md")})
	if err := missing.Check(Update{}); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("Check on a missing folder: %v", err)
	}
	if _, err := missing.Publish(context.Background(), Update{}); err == nil {
		t.Error("Publish into a missing folder succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ok := NewFile(config.StatusTarget{Provider: "file", Path: filepath.Join(dir, "s.md")})
	if _, err := ok.Publish(ctx, Update{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Publish after cancel: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "s.md")); err == nil {
		t.Error("a cancelled publish wrote the file")
	}
}

func TestWebhookURLFromTheEnvironment(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/services/T0/B0/s3cr3tpath" {
			hits.Add(1)
		}
	}))
	defer srv.Close()
	w, err := NewWebhook(config.StatusTarget{Provider: "webhook", Name: "slack", URLEnv: "TEST_HOOK_URL"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Check(Update{}); err == nil || !strings.Contains(err.Error(), "$TEST_HOOK_URL") {
		t.Errorf("Check without the variable: %v", err)
	}
	t.Setenv("TEST_HOOK_URL", srv.URL+"/services/T0/B0/s3cr3tpath")
	if d := w.Describe(Update{}); strings.Contains(d, "s3cr3tpath") || !strings.Contains(d, "127.0.0.1") {
		t.Errorf("Describe = %q", d)
	}
	if _, err := w.Publish(ctxTimeout(t, time.Second), spUpdate("investigating", "x")); err != nil || hits.Load() != 1 {
		t.Fatalf("publish: %v, %d hits", err, hits.Load())
	}
	t.Setenv("TEST_HOOK_URL", "ftp://127.0.0.1/s3cr3tpath")
	if err := w.Check(Update{}); err == nil || strings.Contains(err.Error(), "s3cr3tpath") {
		t.Errorf("bad URL: %v", err)
	}
}
