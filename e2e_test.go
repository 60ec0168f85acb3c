package main

// The true end-to-end test: the built binary in a real pseudo-terminal
// (tmux), against `sitrep demo --speed 10`, driven by keystrokes and read
// back from the screen; then the journal and `sitrep export` are checked.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
)

type tmux struct {
	t      *testing.T
	socket string
}

func newTmux(t *testing.T, w, h int, env []string, cmd string) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("SITREP_INTEGRATION") == "1" {
			t.Fatal("tmux is required (apt-get install tmux)")
		}
		t.Skip("tmux not installed")
	}
	tm := &tmux{t: t, socket: fmt.Sprintf("sitrep-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	args := []string{"-L", tm.socket, "-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, cmd)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmux) keys(keys ...string) {
	tm.t.Helper()
	args := append([]string{"-L", tm.socket, "send-keys", "-t", "e2e"}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		tm.t.Fatalf("send-keys %v: %v: %s", keys, err, out)
	}
}

func (tm *tmux) text(s string) { tm.keys("-l", s) }

func (tm *tmux) screen() string {
	out, _ := exec.Command("tmux", "-L", tm.socket, "capture-pane", "-p", "-t", "e2e").Output()
	return string(out)
}

// waitGone polls the screen until s is no longer on it.
func (tm *tmux) waitGone(timeout time.Duration, s string) {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for strings.Contains(tm.screen(), s) {
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen still shows %q after %v:\n%s", s, timeout, tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor polls the screen until every want is on it.
func (tm *tmux) waitFor(timeout time.Duration, want ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := tm.screen()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen never showed %q within %v; last screen:\n%s", want, timeout, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	data := t.TempDir()
	errFile := filepath.Join(t.TempDir(), "stderr")
	tm := newTmux(t, 120, 35, []string{"SITREP_DATA=" + data, "USER=ic", "TERM=xterm-256color"},
		fmt.Sprintf("%s demo --speed 10 2>%s; echo EXITED $?; sleep 30", sitrepBin, errFile))

	// The story unfolds: the pool saturates.
	tm.waitFor(20*time.Second, "DB pool used", "crit", "Timeline")

	// A note, saved on enter.
	tm.keys("n")
	tm.waitFor(5*time.Second, "New note")
	tm.text("pool saturated, suspect the async-writes rollout")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "saved as entry")

	// The kill switch: focus Flags, K, type the key, enter.
	tm.keys(":")
	tm.text("focus flags")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "async-writes")
	tm.keys("K")
	tm.waitFor(10*time.Second, "Type the flag key to confirm")
	tm.text("async-writes")
	tm.keys("Enter")
	tm.waitFor(30*time.Second, "journaled as entry")
	s := tm.screen()
	if !strings.Contains(s, "verified in") {
		t.Fatalf("kill not verified:\n%s", s)
	}
	tm.keys("Enter") // closes the result (an ESC right before ':' would read as alt+:)
	tm.waitGone(5*time.Second, "journaled as entry")

	// Recovery: the demo service's pool drains once the flag is off.
	tm.keys(":")
	tm.text("focus metrics")
	tm.keys("Enter")
	deadline := time.Now().Add(40 * time.Second)
	for !strings.Contains(tm.screen(), "● DB pool used") {
		if time.Now().After(deadline) {
			t.Fatalf("no recovery:\n%s", tm.screen())
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The recorder journals the recovery once its hysteresis gap (a
	// minute on the story's clock: 6 s at speed 10) has passed.
	tm.keys(":")
	tm.text("filter api:")
	tm.keys("Enter")
	tm.waitFor(30*time.Second, "api: down → up")
	tm.keys("q")
	tm.waitFor(10*time.Second, "EXITED 0")

	// The record.
	dirs, _ := filepath.Glob(filepath.Join(data, "incidents", "*"))
	if len(dirs) != 1 {
		t.Fatalf("incidents: %v", dirs)
	}
	j, err := incident.OpenJournal(filepath.Join(dirs[0], incident.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	entries, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	var note, flagOK, healthDown, healthUp bool
	for _, e := range entries {
		switch e.Kind {
		case incident.KindNote:
			note = note || e.Text == "pool saturated, suspect the async-writes rollout"
		case incident.KindFlag:
			var d incident.FlagData
			if e.Decode(&d) == nil && d.Result == "applied" && d.Verified && d.Flag == "async-writes" && len(d.Evidence) > 0 {
				flagOK = true
			}
		case incident.KindHealth:
			var d incident.HealthData
			if e.Decode(&d) == nil && e.Auto {
				healthDown = healthDown || d.To == "down"
				healthUp = healthUp || (d.From != "up" && d.To == "up")
			}
		}
	}
	if !note || !flagOK || !healthDown || !healthUp {
		var b strings.Builder
		for _, e := range entries {
			b.WriteString(incident.Describe(e) + "\n")
		}
		t.Fatalf("journal lacks something: note=%v verified flag=%v health down=%v health recovered=%v\n%s", note, flagOK, healthDown, healthUp, b.String())
	}
	if b, _ := j.Verify(); b != nil {
		t.Fatalf("chain broken: %+v", b)
	}
	md, stderr, code := sitrep(t, data, "--incident", filepath.Base(dirs[0]), "export")
	if code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	for _, want := range []string{"flagd/async-writes", "yes, in", "pool saturated, suspect the async-writes rollout", "_(auto)_ Health api"} {
		if !strings.Contains(md, want) {
			t.Errorf("export lacks %q", want)
		}
	}
}
