package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
)

// session is one program on a pseudo-terminal of a fixed size. A reader
// goroutine drains the pty all the time (a program blocked on a full pty
// would measure the harness, not the program), timestamps output, and
// answers terminal queries when asked to, like a local terminal would.
type session struct {
	cmd    *exec.Cmd
	pty    *os.File
	start  time.Time
	answer bool

	mu      sync.Mutex
	head    []byte    // output kept until the first frame is found
	keep    bool      // still keeping head
	total   int64     // bytes read so far
	lastAt  time.Time // arrival of the newest output
	queries map[string]int
	tail    []byte // last bytes of the previous read, for queries split across reads
	exited  error
	done    chan struct{}
	notify  chan struct{}
}

// startSession execs argv on a w×h pty. answer says whether terminal
// queries get replies (a local terminal) or are ignored forever.
func startSession(argv []string, env []string, w, h int, answer bool) (*session, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	s := &session{cmd: cmd, answer: answer, keep: true, queries: map[string]int{},
		done: make(chan struct{}), notify: make(chan struct{}, 1)}
	s.start = time.Now()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
	if err != nil {
		return nil, fmt.Errorf("start %s on a pty: %w", argv[0], err)
	}
	s.pty = f
	go s.read()
	return s, nil
}

func (s *session) pid() int { return s.cmd.Process.Pid }

func (s *session) read() {
	defer close(s.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := s.pty.Read(buf)
		if n > 0 {
			now := time.Now()
			s.mu.Lock()
			s.total += int64(n)
			s.lastAt = now
			if s.keep {
				s.head = append(s.head, buf[:n]...)
			}
			scan := append(s.tail, buf[:n]...)
			replies := s.scanQueries(scan, len(s.tail))
			s.tail = append([]byte(nil), scan[max(0, len(scan)-16):]...)
			s.mu.Unlock()
			if s.answer {
				for _, r := range replies {
					_, _ = s.pty.Write(r)
				}
			}
			select {
			case s.notify <- struct{}{}:
			default:
			}
		}
		if err != nil {
			s.mu.Lock()
			s.exited = err
			s.mu.Unlock()
			return
		}
	}
}

// queryRE matches the terminal queries a TUI may send at start-up; the
// replies are what a common xterm-like terminal answers.
var queryRE = regexp.MustCompile(`\x1b\[6n|\x1b\]1[01];\?|\x1b\[0?c|\x1b\[>0?c|\x1b\[\?(\d+)\$p|\x1b\[\?u|\x1b\[>0?q|\x1bP\+q|\x1b\[1[48]t`)

func queryName(m []byte) (string, []byte) {
	switch {
	case bytes.Equal(m, []byte("\x1b[6n")):
		return "cursor position (CSI 6n)", []byte("\x1b[1;1R")
	case bytes.HasPrefix(m, []byte("\x1b]11;")):
		return "background colour (OSC 11)", []byte("\x1b]11;rgb:0000/0000/0000\x1b\\")
	case bytes.HasPrefix(m, []byte("\x1b]10;")):
		return "foreground colour (OSC 10)", []byte("\x1b]10;rgb:ffff/ffff/ffff\x1b\\")
	case bytes.HasPrefix(m, []byte("\x1b[>")) && bytes.HasSuffix(m, []byte("c")):
		return "secondary device attributes (DA2)", []byte("\x1b[>1;10;0c")
	case bytes.HasSuffix(m, []byte("c")):
		return "device attributes (DA1)", []byte("\x1b[?62;22c")
	case bytes.HasSuffix(m, []byte("$p")):
		mode := m[3 : len(m)-2]
		return "mode report (DECRQM ?" + string(mode) + ")", []byte("\x1b[?" + string(mode) + ";0$y")
	case bytes.Equal(m, []byte("\x1b[?u")):
		return "kitty keyboard (CSI ? u)", []byte("\x1b[?0u")
	case bytes.HasSuffix(m, []byte("q")):
		return "terminal version (XTVERSION)", []byte("\x1bP>|bench\x1b\\")
	case bytes.HasPrefix(m, []byte("\x1bP+q")):
		return "termcap (XTGETTCAP)", nil
	default:
		return "window size (CSI " + string(m[2:len(m)-1]) + " t)", nil
	}
}

// scanQueries records queries starting at or after from in b and returns
// the replies to send. Called with s.mu held.
func (s *session) scanQueries(b []byte, from int) [][]byte {
	var out [][]byte
	for _, loc := range queryRE.FindAllIndex(b, -1) {
		if loc[1] <= from {
			continue // seen in the previous read
		}
		name, reply := queryName(b[loc[0]:loc[1]])
		s.queries[name]++
		if reply != nil {
			out = append(out, reply)
		}
	}
	return out
}

// queriesSeen lists the query names, sorted.
func (s *session) queriesSeen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for n := range s.queries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *session) bytesSoFar() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

var errExited = errors.New("the program exited")

// waitFor returns the time from exec until the output so far matches
// marker (the arrival of the read that completed it). Escape sequences
// count as one space: a coloured word is still a word.
func (s *session) waitFor(marker *regexp.Regexp, timeout time.Duration) (time.Duration, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		found := marker.Match(escRE.ReplaceAll(s.head, []byte(" ")))
		at, exited := s.lastAt, s.exited
		s.mu.Unlock()
		if found {
			return at.Sub(s.start), nil
		}
		if exited != nil {
			return 0, fmt.Errorf("%w before showing %q: %s", errExited, marker, s.screenText())
		}
		select {
		case <-s.notify:
		case <-deadline.C:
			return 0, fmt.Errorf("no %q on screen within %s (queries seen: %v)", marker, timeout, s.queriesSeen())
		}
	}
}

// forget stops keeping output once every marker of interest was found.
func (s *session) forget() {
	s.mu.Lock()
	s.keep, s.head = false, nil
	s.mu.Unlock()
}

// screenText is the kept output with escape sequences removed, for errors.
func (s *session) screenText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := escRE.ReplaceAll(s.head, []byte(" "))
	if len(t) > 400 {
		t = t[len(t)-400:]
	}
	return string(bytes.Join(bytes.Fields(t), []byte(" ")))
}

var escRE = regexp.MustCompile(`\x1b(\[[0-9;?<=>!]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)`)

// keyLatency writes key and returns the time until the pty yields output.
func (s *session) keyLatency(key string, timeout time.Duration) (time.Duration, error) {
	s.quiet(15*time.Millisecond, time.Second)
	n0 := s.bytesSoFar()
	drain(s.notify)
	t0 := time.Now()
	if _, err := io.WriteString(s.pty, key); err != nil {
		return 0, fmt.Errorf("write key: %w", err)
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		total, at, exited := s.total, s.lastAt, s.exited
		s.mu.Unlock()
		if total > n0 {
			return at.Sub(t0), nil
		}
		if exited != nil {
			return 0, errExited
		}
		select {
		case <-s.notify:
		case <-deadline.C:
			return 0, fmt.Errorf("no output within %s after key %q", timeout, key)
		}
	}
}

// quiet waits until no output arrived for gap (at most max), so a sample
// does not start in the middle of a frame being written.
func (s *session) quiet(gap, max time.Duration) {
	end := time.Now().Add(max)
	for time.Now().Before(end) {
		s.mu.Lock()
		last := s.lastAt
		s.mu.Unlock()
		if since := time.Since(last); since >= gap {
			return
		} else {
			time.Sleep(gap - since)
		}
	}
}

func drain(c chan struct{}) {
	select {
	case <-c:
	default:
	}
}

// stop asks the program to quit with key, then SIGTERM, then SIGKILL, and
// reaps it.
func (s *session) stop(key string) {
	_, _ = io.WriteString(s.pty, key)
	exited := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(2 * time.Second):
			_ = s.cmd.Process.Kill()
			<-exited
		}
	}
	_ = s.pty.Close()
	<-s.done
}
