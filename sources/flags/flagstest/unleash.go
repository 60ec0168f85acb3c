// Package flagstest starts a real Unleash server for integration tests of
// the flag providers and the kill switch (via .ci/unleash.sh: Unleash v8 on
// Node 22 with a private PostgreSQL, all on 127.0.0.1).
//
// A package's TestMain calls Main; tests call Unleash(t). The server starts
// once per test binary on first use and stops when the binary exits.
// Without npm, Node 22 or PostgreSQL the tests are skipped with a message,
// unless SITREP_INTEGRATION=1, which makes a missing dependency a failure.
// `go test -short` skips them too.
package flagstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running Unleash.
type Server struct {
	URL   string
	Token string
}

var (
	once    sync.Once
	srv     *Server
	srvErr  error
	skipMsg string
	dir     string
)

// Main runs the tests and stops the server if one was started.
func Main(m *testing.M) int {
	code := m.Run()
	if dir != "" {
		out, err := exec.Command(script(), "stop", dir).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "flagstest: stopping unleash: %v\n%s", err, out)
		}
		// When the harness had to put the data dir elsewhere, DIR/pg is a
		// symlink to it: remove what it points at too.
		if target, err := filepath.EvalSymlinks(filepath.Join(dir, "pg")); err == nil && strings.HasPrefix(target, os.TempDir()+"/sitrep-pg.") {
			os.RemoveAll(target)
		}
		os.RemoveAll(dir)
	}
	return code
}

func required() bool { return os.Getenv("SITREP_INTEGRATION") == "1" }

// script is .ci/unleash.sh at the repository root.
func script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", ".ci", "unleash.sh")
}

// missing names a dependency the harness cannot run without, or "".
func missing() string {
	if os.Geteuid() != 0 {
		return "not root (the harness runs PostgreSQL as its own user)"
	}
	if _, err := exec.LookPath("npm"); err != nil {
		if _, err := os.Stat("/var/tmp/sitrep-unleash/node_modules/unleash-server"); err != nil {
			return "npm not installed"
		}
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(m) == 0 && os.Getenv("SITREP_PG_BIN") == "" {
		return "PostgreSQL (initdb) not installed"
	}
	return ""
}

// Unleash returns the shared server, starting it on first use.
func Unleash(t testing.TB) *Server {
	t.Helper()
	if testing.Short() && !required() {
		t.Skip("real Unleash: skipped in -short mode")
	}
	once.Do(start)
	if skipMsg != "" {
		if required() {
			t.Fatalf("SITREP_INTEGRATION=1 but %s", skipMsg)
		}
		t.Skipf("real Unleash: %s (set SITREP_INTEGRATION=1 to make this a failure)", skipMsg)
	}
	if srvErr != nil {
		t.Fatalf("real Unleash: %v", srvErr)
	}
	return srv
}

func start() {
	if m := missing(); m != "" {
		skipMsg = m
		return
	}
	if out, err := exec.Command(script(), "install").CombinedOutput(); err != nil {
		srvErr = fmt.Errorf("%s install: %v\n%s", script(), err, out)
		return
	}
	d, err := os.MkdirTemp("", "sitrep-unleash-test-")
	if err != nil {
		srvErr = err
		return
	}
	dir = d
	// Let the harness's PostgreSQL user reach DIR, so the data dir lives in
	// it (and goes with it) rather than in a separate /tmp/sitrep-pg.* dir.
	if err := os.Chmod(dir, 0o755); err != nil {
		srvErr = err
		return
	}
	cmd := exec.Command(script(), "start", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		srvErr = fmt.Errorf("%s start: %v\n%s", script(), err, stderr.String())
		return
	}
	s := &Server{}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "UNLEASH_URL="); ok {
			s.URL = v
		}
		if v, ok := strings.CutPrefix(line, "UNLEASH_TOKEN="); ok {
			s.Token = v
		}
	}
	if s.URL == "" || s.Token == "" {
		srvErr = fmt.Errorf("%s start printed no URL/token: %q", script(), out)
		return
	}
	srv = s
}

// Do sends an admin API request and fails the test unless the status is want.
func (s *Server) Do(t testing.TB, method, path string, body any, want int) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", s.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: HTTP %d, want %d: %s", method, path, resp.StatusCode, want, out)
	}
	return out
}

// Feature creates a feature in project default, enabled in development
// with a 100% rollout, and archives and deletes it when the test ends.
func (s *Server) Feature(t testing.TB, name string) {
	t.Helper()
	const f = "/api/admin/projects/default/features"
	s.Do(t, http.MethodPost, f, map[string]any{"name": name, "type": "kill-switch", "description": "sitrep test"}, http.StatusCreated)
	t.Cleanup(func() {
		s.Do(t, http.MethodDelete, f+"/"+name, nil, http.StatusAccepted)
		s.Do(t, http.MethodDelete, "/api/admin/archive/"+name, nil, http.StatusOK)
	})
	s.Do(t, http.MethodPost, f+"/"+name+"/environments/development/strategies",
		map[string]any{"name": "flexibleRollout", "constraints": []any{},
			"parameters": map[string]any{"rollout": "100", "stickiness": "default", "groupId": name}}, http.StatusOK)
	s.Do(t, http.MethodPost, f+"/"+name+"/environments/development/on", nil, http.StatusOK)
}

// Set switches a feature's environment directly, as a colleague in the
// Unleash UI would.
func (s *Server) Set(t testing.TB, name, env string, on bool) {
	t.Helper()
	state := "off"
	if on {
		state = "on"
	}
	s.Do(t, http.MethodPost, "/api/admin/projects/default/features/"+name+"/environments/"+env+"/"+state, nil, http.StatusOK)
}
