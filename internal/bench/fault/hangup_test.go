package fault

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/internal/bench/term"
)

// dashboard starts `sitrep` (the dashboard) on data in a 100x30 pty with a
// config holding only a flag file, so nothing leaves the machine.
func dashboard(t *testing.T, data string) *term.Session {
	t.Helper()
	dir := t.TempDir()
	flags := filepath.Join(dir, "flags.json")
	if err := os.WriteFile(flags, []byte(`{"flags":{"new-checkout":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"on"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "sitrep.yaml")
	if err := os.WriteFile(cfg, []byte("flags:\n  - {provider: file, path: "+flags+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"TERM=xterm-256color", "LANG=C.UTF-8", "USER=tester", "HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH")}
	s, err := term.Start([]string{sitrepBin, "-c", cfg, "--data", data}, env, 100, 30, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitFor(regexp.MustCompile(`SEV2`), 10*time.Second); err != nil {
		s.Stop("q")
		t.Fatalf("dashboard did not come up: %v", err)
	}
	return s
}

// TestFaultHangupMidTypingRestoresDraft types a note and drops the
// terminal (SIGHUP, or the pty closed as sshd does): the dashboard must
// exit, and the next start must bring the typed text back.
func TestFaultHangupMidTypingRestoresDraft(t *testing.T) {
	const typed = "db pool at 95% since deploy 4411, rolling back"
	for _, tc := range []struct {
		name string
		drop func(*term.Session) error
	}{
		{"SIGHUP", func(s *term.Session) error { return syscall.Kill(s.PID(), syscall.SIGHUP) }},
		{"pty closed", func(s *term.Session) error { return s.CloseTerminal() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			if _, stderr, code := sitrep(t, data, "open", "--sev", "2", "Checkout 5xx"); code != 0 {
				t.Fatalf("open: %s", stderr)
			}
			s := dashboard(t, data)
			s.Forget()
			if err := s.Type("n"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.WaitFor(regexp.MustCompile(`what happened`), 5*time.Second); err != nil {
				s.Stop("")
				t.Fatalf("note box did not open: %v", err)
			}
			if err := s.Type(typed); err != nil {
				t.Fatal(err)
			}
			// The commander saw the text echoed, then the line dropped: wait
			// until the screen stopped changing (the keys were drawn). The
			// raw stream cannot be matched for typed text: the renderer
			// sends only the cells that changed, in pieces.
			s.Quiet(300*time.Millisecond, 5*time.Second)
			if err := tc.drop(s); err != nil {
				t.Fatal(err)
			}
			err := s.Wait(5 * time.Second)
			if errors.Is(err, term.ErrStillRunning) {
				s.Stop("")
				t.Fatalf("dashboard still running 5 s after the terminal dropped")
			}
			t.Logf("dashboard exited after the drop: %v", err)
			s.Stop("")
			drafts, _ := filepath.Glob(filepath.Join(data, "incidents", "*", "draft-*.txt"))
			if len(drafts) != 1 {
				t.Fatalf("want one draft file in the incident folder, found %v", drafts)
			}
			if b, _ := os.ReadFile(drafts[0]); string(b) != typed {
				t.Fatalf("draft file %s holds %q, want %q", drafts[0], b, typed)
			}

			s2 := dashboard(t, data)
			defer s2.Stop("")
			if _, err := s2.WaitFor(regexp.MustCompile(`restored the note you were typing`), 5*time.Second); err != nil {
				t.Fatalf("next start does not say the note was restored: %v", err)
			}
			if _, err := s2.WaitFor(regexp.MustCompile(`rolling back`), 5*time.Second); err != nil {
				t.Fatalf("next start does not show the restored text: %v", err)
			}
		})
	}
}
