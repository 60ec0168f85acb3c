// Package term runs a program on a pseudo-terminal the way a commander's
// terminal would: it drains and timestamps the output, answers (or never
// answers) terminal queries, and times keys to the next output.
package term

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

// Session is one program on a pseudo-terminal of a fixed size. A reader
// goroutine drains the pty all the time (a program blocked on a full pty
// would measure the harness, not the program), timestamps output, and
// answers terminal queries when asked to, like a local terminal would.
type Session struct {
	cmd    *exec.Cmd
	pty    *os.File
	start  time.Time
	answer bool

	mu      sync.Mutex
	head    []byte    // output since the last Forget (the newest maxHead bytes)
	total   int64     // bytes read so far
	lastAt  time.Time // arrival of the newest output
	queries map[string]int
	tail    []byte // last bytes of the previous read, for queries split across reads
	readErr error
	done    chan struct{}
	notify  chan struct{}

	waitOnce sync.Once
	waitErr  error
	exited   chan struct{}
}

// Start execs argv on a w×h pty. answer says whether terminal
// queries get replies (a local terminal) or are ignored forever.
func Start(argv []string, env []string, w, h int, answer bool) (*Session, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	s := &Session{cmd: cmd, answer: answer, queries: map[string]int{},
		done: make(chan struct{}), notify: make(chan struct{}, 1), exited: make(chan struct{})}
	s.start = time.Now()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
	if err != nil {
		return nil, fmt.Errorf("start %s on a pty: %w", argv[0], err)
	}
	// Hand the master to Go's poller (non-blocking), so that closing it
	// really closes it even while the reader is blocked in Read: that is
	// the hang-up of a dropped SSH connection.
	fd, err := syscall.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("dup the pty master: %w", err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("pty master non-blocking: %w", err)
	}
	s.pty = os.NewFile(uintptr(fd), "pty-master")
	go s.read()
	return s, nil
}

// PID is the program's process id.
func (s *Session) PID() int { return s.cmd.Process.Pid }

// Started is when the program was exec'd.
func (s *Session) Started() time.Time { return s.start }

// Type writes text as typed keys.
func (s *Session) Type(text string) error {
	_, err := io.WriteString(s.pty, text)
	return err
}

// CloseTerminal closes the pty master, as a dropped SSH connection does:
// the kernel hangs up the program's terminal.
func (s *Session) CloseTerminal() error { return s.pty.Close() }

// Wait waits for the program to exit, at most timeout, and returns its error.
func (s *Session) Wait(timeout time.Duration) error {
	s.waitOnce.Do(func() { go func() { s.waitErr = s.cmd.Wait(); close(s.exited) }() })
	select {
	case <-s.exited:
		return s.waitErr
	case <-time.After(timeout):
		return fmt.Errorf("%w after %s", ErrStillRunning, timeout)
	}
}

func (s *Session) read() {
	defer close(s.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := s.pty.Read(buf)
		if n > 0 {
			now := time.Now()
			s.mu.Lock()
			s.total += int64(n)
			s.lastAt = now
			s.head = append(s.head, buf[:n]...)
			if len(s.head) > maxHead {
				s.head = append(s.head[:0], s.head[len(s.head)-maxHead/2:]...)
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
			s.readErr = err
			s.mu.Unlock()
			select {
			case s.notify <- struct{}{}:
			default:
			}
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
func (s *Session) scanQueries(b []byte, from int) [][]byte {
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

// Queries lists the query names, sorted.
func (s *Session) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for n := range s.queries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Session) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// maxHead bounds the kept output; a marker is looked for in what arrived
// since the last Forget, which is far less in every use.
const maxHead = 4 << 20

// ErrExited means the program ended while a marker or key was awaited;
// ErrStillRunning that Wait gave up.
var (
	ErrExited       = errors.New("the program exited")
	ErrStillRunning = errors.New("the program is still running")
)

// WaitFor returns the time from exec until the output so far matches
// marker (the arrival of the read that completed it). Escape sequences
// are read both as a space (a cursor move over blank cells) and as
// nothing (a word styled letter by letter, like a cursor on its first).
func (s *Session) WaitFor(marker *regexp.Regexp, timeout time.Duration) (time.Duration, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		found := marker.Match(escRE.ReplaceAll(s.head, []byte(" "))) || marker.Match(escRE.ReplaceAll(s.head, nil))
		at, exited := s.lastAt, s.readErr
		s.mu.Unlock()
		if found {
			return at.Sub(s.start), nil
		}
		if exited != nil {
			return 0, fmt.Errorf("%w before showing %q: %s", ErrExited, marker, s.ScreenText())
		}
		select {
		case <-s.notify:
		case <-deadline.C:
			return 0, fmt.Errorf("no %q on screen within %s (queries seen: %v); screen text: %s", marker, timeout, s.Queries(), s.ScreenText())
		}
	}
}

// Forget drops the output kept so far, so the next WaitFor only looks at
// what comes after.
func (s *Session) Forget() {
	s.mu.Lock()
	s.head = s.head[:0]
	s.mu.Unlock()
}

// ScreenText is the kept output with escape sequences removed, for errors.
func (s *Session) ScreenText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := escRE.ReplaceAll(s.head, []byte(" "))
	if len(t) > 400 {
		t = t[len(t)-400:]
	}
	return string(bytes.Join(bytes.Fields(t), []byte(" ")))
}

var escRE = regexp.MustCompile(`\x1b(\[[0-9;?<=>!]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)`)

// KeyLatency writes key and returns the time until the pty yields output.
func (s *Session) KeyLatency(key string, timeout time.Duration) (time.Duration, error) {
	// Wait out more than one 60 fps frame (16.7 ms) of silence: then the
	// last key's frame has been written, and the next output cannot be a
	// frame queued before this key (which, after an open-and-close pair of
	// keys, may show no change at all until the clock's next redraw).
	s.Quiet(25*time.Millisecond, time.Second)
	n0 := s.Bytes()
	drain(s.notify)
	t0 := time.Now()
	if _, err := io.WriteString(s.pty, key); err != nil {
		return 0, fmt.Errorf("write key: %w", err)
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		total, at, exited := s.total, s.lastAt, s.readErr
		s.mu.Unlock()
		if total > n0 {
			return at.Sub(t0), nil
		}
		if exited != nil {
			return 0, ErrExited
		}
		select {
		case <-s.notify:
		case <-deadline.C:
			return 0, fmt.Errorf("no output within %s after key %q", timeout, key)
		}
	}
}

// Quiet waits until no output arrived for gap (at most max), so a sample
// does not start in the middle of a frame being written.
func (s *Session) Quiet(gap, max time.Duration) {
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

func (s *Session) hasExited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

func drain(c chan struct{}) {
	select {
	case <-c:
	default:
	}
}

// Stop asks the program to quit with key (none: skip to SIGTERM), then
// SIGTERM, then SIGKILL, and reaps it.
func (s *Session) Stop(key string) {
	graceful := false
	if key != "" {
		_, _ = io.WriteString(s.pty, key)
		graceful = !errors.Is(s.Wait(2*time.Second), ErrStillRunning)
	}
	if !graceful && !s.hasExited() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		if errors.Is(s.Wait(2*time.Second), ErrStillRunning) {
			_ = s.cmd.Process.Kill()
			_ = s.Wait(time.Minute)
		}
	}
	_ = s.pty.Close()
	<-s.done
}
