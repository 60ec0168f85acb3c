package recorder

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/health"
)

// TestMain lets this test binary double as a recorder process: with
// SITREP_RECORDER_CHILD set it runs a scheduler and a recorder on the
// incident named in the environment until its stdin closes.
func TestMain(m *testing.M) {
	if os.Getenv("SITREP_RECORDER_CHILD") == "1" {
		os.Exit(child())
	}
	os.Exit(m.Run())
}

func child() int {
	st := incident.Store{Dir: os.Getenv("SITREP_TEST_DATA")}
	j, err := st.Open(os.Getenv("SITREP_TEST_INCIDENT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer j.Close()
	check := &health.HTTP{Name: "api", URL: os.Getenv("SITREP_TEST_URL"), Every: 50 * time.Millisecond, Limit: 40 * time.Millisecond}
	s := sources.NewScheduler([]sources.Poller{check}, sources.Options{})
	sub := s.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }() // parent closed stdin: stop
	go func() {
		for range s.Updates() { // the dashboard's channel; nobody reads it here
		}
	}()
	r := New(j, Options{MinGap: 200 * time.Millisecond, Retry: 100 * time.Millisecond,
		OnError: func(err error) { fmt.Fprintln(os.Stderr, err) }})
	go func() { _ = s.Run(ctx) }()
	_ = r.Run(ctx, sub)
	return 0
}

func TestTwoRecorderProcessesWriteEachTransitionOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	var up atomic.Bool
	up.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(503)
		}
	}))
	defer srv.Close()
	j, st, id := newIncident(t)

	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "SITREP_RECORDER_CHILD=1", "SITREP_TEST_DATA="+st.Dir,
			"SITREP_TEST_INCIDENT="+id, "SITREP_TEST_URL="+srv.URL)
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
		return cmd
	}
	a, b := start(), start()
	procs := map[int]*exec.Cmd{a.Process.Pid: a, b.Process.Pid: b}

	waitFor := func(text string, n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if count(autoEntries(t, j), text) >= n {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("no %q entry within 5s; journal: %q", text, autoEntries(t, j))
	}

	time.Sleep(300 * time.Millisecond) // both see "up": nothing to write
	up.Store(false)
	waitFor("up → down", 1)

	// Kill whichever records, mid-incident, without letting it clean up.
	holder := lockHolder(t, st.Dir, id)
	p, ok := procs[holder]
	if !ok {
		t.Fatalf("recorder.lock names pid %d, not one of ours", holder)
	}
	if err := p.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	up.Store(true)
	waitFor("down → up", 1) // the other took over
	if other := lockHolder(t, st.Dir, id); other == holder {
		t.Fatalf("the killed process %d still holds the lock", holder)
	}
	time.Sleep(300 * time.Millisecond) // past the 200 ms gap
	up.Store(false)
	waitFor("up → down", 2)
	time.Sleep(500 * time.Millisecond) // any duplicate would be written by now

	got := autoEntries(t, j)
	want := []string{"health api: up → down", "health api: down → up", "health api: up → down"}
	if len(got) != len(want) {
		t.Fatalf("journal has %d automatic entries, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Fatalf("entry %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func count(texts []string, sub string) int {
	n := 0
	for _, s := range texts {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

func lockHolder(t *testing.T, dir, id string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(incident.Store{Dir: dir}.JournalPath(id)), LockFile))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("recorder.lock holds %q, want a pid", b)
	}
	return pid
}
