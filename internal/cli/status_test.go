package cli

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// statusWorld is a data dir with an open incident and a config whose
// status targets are a webhook on 127.0.0.1 and a Markdown file.
type statusWorld struct {
	data, config, file string
	hookFail           atomic.Bool
	hookBodies         atomic.Int32
}

func newStatusWorld(t *testing.T) *statusWorld {
	t.Helper()
	dir := t.TempDir()
	w := &statusWorld{data: filepath.Join(dir, "data"), config: filepath.Join(dir, "sitrep.yaml"), file: filepath.Join(dir, "status.md")}
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if w.hookFail.Load() {
			rw.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.hookBodies.Add(1)
	}))
	t.Cleanup(hook.Close)
	cfg := fmt.Sprintf("status:\n  - {provider: webhook, name: chat, url: %s/hook, timeout: 2s}\n  - {provider: file, name: site, path: %s}\n"+
		"status_templates:\n  identified: 'Found the cause of {{.Title}}.'\n", hook.URL, w.file)
	if err := os.WriteFile(w.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := w.run(t, "", false, "open", "Checkout errors"); code != 0 {
		t.Fatalf("open: %s", stderr)
	}
	return w
}

func (w *statusWorld) run(t *testing.T, stdin string, tty bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, IsTTY: tty}
	code := Main(append([]string{"--data", w.data, "-c", w.config, "--author", "alice@bastion"}, args...), e)
	return code, out.String(), errb.String()
}

func TestStatusDraftShowPublish(t *testing.T) {
	w := newStatusWorld(t)
	code, out, stderr := w.run(t, "", false, "status", "draft", "--state", "investigating", "--impact", "major",
		"--component", "Checkout=partial_outage", "Payments are failing for some customers.")
	if code != 0 || !strings.Contains(out, "| Checkout | Partial outage |") || !strings.Contains(out, "— 40 characters") {
		t.Fatalf("draft: %d\n%s%s", code, out, stderr)
	}
	if code, out, _ := w.run(t, "", false, "status", "show"); code != 0 || !strings.Contains(out, "draft, not published yet") {
		t.Fatalf("show: %d\n%s", code, out)
	}
	if code, _, stderr := w.run(t, "", false, "status", "publish"); code != 2 || !strings.Contains(stderr, "--yes") {
		t.Fatalf("publish without a TTY or --yes: %d %s", code, stderr)
	}
	if code, out, _ := w.run(t, "n\n", true, "status", "publish"); code != 1 || !strings.Contains(out, "Publish to 2 target(s)? [y/N]") {
		t.Fatalf("publish declined: %d\n%s", code, out)
	}
	if w.hookBodies.Load() != 0 {
		t.Fatal("a declined publish reached the webhook")
	}
	code, out, stderr = w.run(t, "y\n", true, "status", "publish")
	if code != 0 || !strings.Contains(out, "✓ chat") || !strings.Contains(out, "✓ site") {
		t.Fatalf("publish: %d\n%s%s", code, out, stderr)
	}
	if b, _ := os.ReadFile(w.file); !strings.Contains(string(b), "Payments are failing") || w.hookBodies.Load() != 1 {
		t.Errorf("file %q, webhook %d", b, w.hookBodies.Load())
	}
}

func TestStatusDraftFromTemplateAndBackwards(t *testing.T) {
	w := newStatusWorld(t)
	w.run(t, "", false, "status", "draft", "--state", "monitoring", "Fix deployed.")
	if code, _, stderr := w.run(t, "", false, "status", "publish", "--yes"); code != 0 {
		t.Fatal(stderr)
	}
	// Going back from monitoring needs --force without a terminal...
	if code, _, stderr := w.run(t, "", false, "status", "draft", "--state", "identified"); code != 1 || !strings.Contains(stderr, "--force") {
		t.Fatalf("backwards without --force: %d %s", code, stderr)
	}
	// ...and a yes on one; the body comes from the configured template.
	code, out, stderr := w.run(t, "y\n", true, "status", "draft", "--state", "identified")
	if code != 0 || !strings.Contains(out, `Go back to "identified"?`) || !strings.Contains(out, "Found the cause of Checkout errors.") {
		t.Fatalf("backwards on a TTY: %d\n%s%s", code, out, stderr)
	}
	// Without --state the next state is suggested from what was published.
	w.run(t, "", false, "status", "publish", "--yes")
	code, out, _ = w.run(t, "", false, "status", "draft")
	if code != 0 || !strings.Contains(out, "**Monitoring**") {
		t.Fatalf("suggested state: %d\n%s", code, out)
	}
}

func TestStatusRetry(t *testing.T) {
	w := newStatusWorld(t)
	w.run(t, "", false, "status", "draft", "--state", "investigating", "Looking into it.")
	w.hookFail.Store(true)
	code, out, stderr := w.run(t, "", false, "status", "publish", "--yes")
	if code != 1 || !strings.Contains(out, "✗ chat") || !strings.Contains(stderr, "HTTP 500") || !strings.Contains(stderr, "sitrep status retry") {
		t.Fatalf("publish with a failing webhook: %d\n%s%s", code, out, stderr)
	}
	if _, out, _ := w.run(t, "", false, "status", "show"); !strings.Contains(out, "FAILED, queued") {
		t.Errorf("show:\n%s", out)
	}
	w.hookFail.Store(false)
	if code, out, stderr := w.run(t, "", false, "status", "retry"); code != 0 || !strings.Contains(out, "✓ chat") || strings.Contains(out, "site") {
		t.Fatalf("retry: %d\n%s%s", code, out, stderr)
	}
	if b, _ := os.ReadFile(w.file); strings.Count(string(b), "Looking into it.") != 1 {
		t.Errorf("the file got the update %d times", strings.Count(string(b), "Looking into it."))
	}
}

func TestStatusUsageErrors(t *testing.T) {
	w := newStatusWorld(t)
	for _, args := range [][]string{
		{"status"},
		{"status", "frobnicate"},
		{"status", "show", "extra"},
		{"status", "show", "--state", "resolved"},
		{"status", "draft", "--yes", "x"},
		{"status", "draft", "--component", "api", "x"},
	} {
		if code, _, stderr := w.run(t, "", false, args...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, stderr)
		}
	}
}
