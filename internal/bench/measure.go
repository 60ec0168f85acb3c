package main

import (
	"fmt"
	"github.com/sitrep-dev/sitrep/internal/bench/term"
	"regexp"
	"time"
)

// target is one program the bench drives.
type target struct {
	name   string
	argv   []string
	env    []string
	marker *regexp.Regexp // appears only once data is on screen
	// later are further markers timed in the same start (a live source
	// value, a rate that needs two scrapes); missing ones are n/a.
	later []marker
	// keys alternate to change the screen (open and close a dialog); nil
	// when the program has no key that changes its screen.
	keys []string
	quit string
	// lite skips the wait for the RSS reading (RSS is read after the keys).
	lite bool
	// prepare runs before every start (a fresh data dir); may be nil.
	prepare func() error
}

// marker names something on screen worth timing.
type marker struct {
	name string
	re   *regexp.Regexp
}

// plan is how long each phase lasts.
type plan struct {
	settle     time.Duration // after the first frame, before the idle window
	window     time.Duration // idle bytes and CPU
	rssAfter   time.Duration // RSS is read this long after exec
	keySamples int
	frameTries int // first frame: best of this many starts
	timeout    time.Duration
}

// sample is one run of one target at one size.
type sample struct {
	firstFrame, firstFrameSilent time.Duration
	queries                      []string // seen when nothing answered
	idleBps, cpuPct              float64
	rss                          int64
	threads                      int
	keys                         []time.Duration
	later                        map[string]time.Duration
}

// firstFrame starts t, returns the time to its data marker, the queries it
// sent, and stops it. answer says whether queries get replies.
func firstFrame(t target, w, h int, answer bool, p plan) (time.Duration, []string, error) {
	best := time.Duration(0)
	var queries []string
	for i := 0; i < max(p.frameTries, 1); i++ {
		if t.prepare != nil {
			if err := t.prepare(); err != nil {
				return 0, nil, err
			}
		}
		s, err := term.Start(t.argv, t.env, w, h, answer)
		if err != nil {
			return 0, nil, err
		}
		d, err := s.WaitFor(t.marker, p.timeout)
		s.Forget()
		queries = s.Queries()
		s.Stop(t.quit)
		if err != nil {
			return 0, queries, fmt.Errorf("%s at %dx%d: %w", t.name, w, h, err)
		}
		if best == 0 || d < best {
			best = d
		}
	}
	return best, queries, nil
}

// measure runs t once at w×h: first frame (answered and silent), idle
// bytes and CPU, key latency, RSS.
func measure(t target, w, h int, p plan) (sample, error) {
	var r sample
	var err error
	if r.firstFrameSilent, r.queries, err = firstFrame(t, w, h, false, p); err != nil {
		return r, fmt.Errorf("terminal never answers: %w", err)
	}
	if t.prepare != nil {
		if err := t.prepare(); err != nil {
			return r, err
		}
	}
	s, err := term.Start(t.argv, t.env, w, h, true)
	if err != nil {
		return r, err
	}
	defer s.Stop(t.quit)
	if r.firstFrame, err = s.WaitFor(t.marker, p.timeout); err != nil {
		return r, fmt.Errorf("%s at %dx%d: %w", t.name, w, h, err)
	}
	r.later = map[string]time.Duration{}
	for _, m := range t.later {
		if d, err := s.WaitFor(m.re, 3*time.Second); err == nil {
			r.later[m.name] = d
		}
	}
	s.Forget()
	if p.frameTries > 1 {
		// Short mode: best of several starts, so a loaded machine does not
		// fail the gate on one unlucky start.
		if again, _, err := firstFrame(t, w, h, true, plan{frameTries: p.frameTries - 1, timeout: p.timeout}); err == nil && again < r.firstFrame {
			r.firstFrame = again
		}
	}
	time.Sleep(p.settle)
	if r.idleBps, r.cpuPct, err = idle(s, p.window); err != nil {
		return r, err
	}
	if t.keys != nil {
		for i := 0; i < p.keySamples; i++ {
			d, err := s.KeyLatency(t.keys[i%len(t.keys)], 2*time.Second)
			if err != nil {
				return r, fmt.Errorf("%s at %dx%d, key sample %d: %w", t.name, w, h, i, err)
			}
			r.keys = append(r.keys, d)
		}
		// Leave the screen as it was (an odd count leaves a dialog open).
		if p.keySamples%len(t.keys) != 0 {
			_, _ = s.KeyLatency(t.keys[p.keySamples%len(t.keys)], 2*time.Second)
		}
	}
	if wait := p.rssAfter - time.Since(s.Started()); wait > 0 && !t.lite {
		time.Sleep(wait)
	}
	st, err := readStatus(s.PID())
	if err != nil {
		return r, err
	}
	r.rss, r.threads = st.RSS, st.Threads
	return r, nil
}

// idle returns the bytes/s written to the terminal and the CPU % used
// over window while nobody types.
func idle(s *term.Session, window time.Duration) (float64, float64, error) {
	b0 := s.Bytes()
	c0, err := cpuTime(s.PID())
	if err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	time.Sleep(window)
	c1, err := cpuTime(s.PID())
	if err != nil {
		return 0, 0, err
	}
	el := time.Since(t0)
	bps := float64(s.Bytes()-b0) / el.Seconds()
	return bps, 100 * float64(c1-c0) / float64(el), nil
}
