package term

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A program that asks for the cursor position and waits for the answer:
// it starts only when the terminal answers, like Bubble Tea v1 does.
const asksCursor = `stty raw -echo; printf 'hello \033[6n'; head -c 6 >/dev/null; printf 'replied'; sleep 5`

// shell runs prog with sh on an 80x24 pty, stopped at the end of the test.
func shell(t *testing.T, prog string, answer bool) *Session {
	t.Helper()
	s, err := Start([]string{"sh", "-c", prog}, []string{"PATH=/usr/bin:/bin"}, 80, 24, answer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop("") })
	return s
}

func TestAnsweringTerminalRepliesToQueries(t *testing.T) {
	s := shell(t, asksCursor, true)
	if _, err := s.WaitFor(regexp.MustCompile(`replied`), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if q := s.Queries(); len(q) != 1 || !strings.Contains(q[0], "CSI 6n") {
		t.Errorf("queries = %v, want the cursor position query", q)
	}
}

func TestSilentTerminalNeverReplies(t *testing.T) {
	s := shell(t, asksCursor, false)
	if _, err := s.WaitFor(regexp.MustCompile(`hello`), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitFor(regexp.MustCompile(`replied`), 500*time.Millisecond); err == nil {
		t.Fatal("the program got an answer from a terminal that never answers")
	}
	if q := s.Queries(); len(q) != 1 {
		t.Errorf("queries = %v, want the cursor position query recorded", q)
	}
}

func TestWaitForSeesWordsSplitByEscapes(t *testing.T) {
	// A coloured value and a word drawn letter by letter (a cursor on it).
	prog := `printf 'up\033[32m   \033[m12ms and \033[7mw\033[mhat happened'; sleep 5`
	s := shell(t, prog, false)
	for _, m := range []string{`up +12ms`, `what happened`} {
		if _, err := s.WaitFor(regexp.MustCompile(m), 5*time.Second); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
}

func TestKeyLatencyTimesTheEcho(t *testing.T) {
	// The line discipline echoes a typed key at once.
	s := shell(t, "sleep 10", false)
	d, err := s.KeyLatency("a", 2*time.Second)
	if err != nil || d <= 0 || d > time.Second {
		t.Fatalf("KeyLatency = %v, %v", d, err)
	}
}

func TestKeyLatencyFailsWhenNothingChanges(t *testing.T) {
	s := shell(t, "stty -echo; printf ready; sleep 10", false)
	if _, err := s.WaitFor(regexp.MustCompile(`ready`), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeyLatency("a", 300*time.Millisecond); err == nil {
		t.Fatal("a key that changes nothing must time out, not count the next unrelated output")
	}
}

func TestWaitReportsExitAndStillRunning(t *testing.T) {
	s := shell(t, "sleep 10", false)
	if err := s.Wait(100 * time.Millisecond); !errors.Is(err, ErrStillRunning) {
		t.Errorf("Wait on a sleeping program = %v, want ErrStillRunning", err)
	}
	if err := s.CloseTerminal(); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(5 * time.Second); errors.Is(err, ErrStillRunning) {
		t.Error("closing the terminal did not hang up the program")
	}
}

func TestQueryNamesAndReplies(t *testing.T) {
	tests := []struct {
		in, name, reply string
	}{
		{"\x1b[6n", "cursor position (CSI 6n)", "\x1b[1;1R"},
		{"\x1b]11;?\x07", "background colour (OSC 11)", "\x1b]11;rgb:0000/0000/0000\x1b\\"},
		{"\x1b[c", "device attributes (DA1)", "\x1b[?62;22c"},
		{"\x1b[>0c", "secondary device attributes (DA2)", "\x1b[>1;10;0c"},
		{"\x1b[?2026$p", "mode report (DECRQM ?2026)", "\x1b[?2026;0$y"},
		{"\x1b[?u", "kitty keyboard (CSI ? u)", "\x1b[?0u"},
		{"\x1b[>0q", "terminal version (XTVERSION)", "\x1bP>|bench\x1b\\"},
	}
	for _, tc := range tests {
		m := queryRE.Find([]byte(tc.in))
		if m == nil {
			t.Errorf("%q not recognised as a query", tc.in)
			continue
		}
		name, reply := queryName(m)
		if name != tc.name || string(reply) != tc.reply {
			t.Errorf("%q: got %q/%q, want %q/%q", tc.in, name, reply, tc.name, tc.reply)
		}
	}
	for _, notQuery := range []string{"\x1b[>1u", "\x1b[?2026h", "\x1b[>4;2m", "\x1b[2J"} {
		if queryRE.MatchString(notQuery) {
			t.Errorf("%q (a mode set, not a query) counted as a query", notQuery)
		}
	}
}
