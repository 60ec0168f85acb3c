package sources

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fake is a Poller whose Poll runs fn.
type fake struct {
	id       string
	interval time.Duration
	timeout  time.Duration
	fn       func(ctx context.Context, n int) (any, error)
	n        atomic.Int64
}

func (f *fake) ID() string              { return f.id }
func (f *fake) Kind() Kind              { return KindMetric }
func (f *fake) Interval() time.Duration { return f.interval }
func (f *fake) Timeout() time.Duration  { return f.timeout }
func (f *fake) Poll(ctx context.Context) (any, error) {
	return f.fn(ctx, int(f.n.Add(1)))
}

func run(t *testing.T, s *Scheduler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatal("Run did not return within 2s of cancel")
		}
	}
}

func next(t *testing.T, ch <-chan Snapshot, id string) Snapshot {
	t.Helper()
	deadline := time.After(3 * time.Second)
	for {
		select {
		case s := <-ch:
			if s.ID == id {
				return s
			}
		case <-deadline:
			t.Fatalf("no snapshot for %s within 3s", id)
		}
	}
}

func TestFailedPollKeepsLastGoodValue(t *testing.T) {
	p := &fake{id: "a", interval: 20 * time.Millisecond, timeout: 10 * time.Millisecond,
		fn: func(ctx context.Context, n int) (any, error) {
			if n == 1 {
				return "good", nil
			}
			return nil, errors.New("boom")
		}}
	s := NewScheduler([]Poller{p}, Options{MaxBackoff: 20 * time.Millisecond})
	defer run(t, s)()
	first := next(t, s.Updates(), "a")
	if first.Value != "good" || first.Err != nil || first.GoodAt.IsZero() {
		t.Fatalf("first = %+v", first)
	}
	var second Snapshot
	for second.Failures < 2 {
		second = next(t, s.Updates(), "a")
	}
	if second.Value != "good" || !second.GoodAt.Equal(first.GoodAt) || !second.Stale() || second.Err.Error() != "boom" {
		t.Fatalf("after failures = %+v, want the last good value, its time and the error", second)
	}
}

func TestPollIgnoringItsContextIsCutOffAtTheDeadline(t *testing.T) {
	release := make(chan struct{})
	var concurrent, maxConcurrent atomic.Int64
	p := &fake{id: "stuck", interval: 50 * time.Millisecond, timeout: 100 * time.Millisecond,
		fn: func(ctx context.Context, n int) (any, error) {
			c := concurrent.Add(1)
			defer concurrent.Add(-1)
			if c > maxConcurrent.Load() {
				maxConcurrent.Store(c)
			}
			<-release // ignores ctx on purpose
			return nil, nil
		}}
	s := NewScheduler([]Poller{p}, Options{})
	stop := run(t, s)
	start := time.Now()
	snap := next(t, s.Updates(), "stuck")
	if took := time.Since(start); took > 100*time.Millisecond+p.interval/10+100*time.Millisecond {
		t.Errorf("error arrived after %s, want within timeout+100ms (+first-poll jitter)", took)
	}
	if snap.Err == nil || !strings.Contains(snap.Err.Error(), "timed out after 100ms") {
		t.Fatalf("err = %v", snap.Err)
	}
	snap = next(t, s.Updates(), "stuck")
	if snap.Err == nil || !strings.Contains(snap.Err.Error(), "previous poll still running") {
		t.Fatalf("second err = %v, want the source skipped while its poll is stuck", snap.Err)
	}
	close(release)
	stop()
	if m := maxConcurrent.Load(); m != 1 {
		t.Fatalf("%d polls of one source ran at once; stuck polls must not pile up", m)
	}
}

func TestWaitingForASlotHonoursTheDeadline(t *testing.T) {
	started := make(chan struct{})
	hog := &fake{id: "hog", interval: time.Hour, timeout: 500 * time.Millisecond,
		fn: func(ctx context.Context, n int) (any, error) { close(started); <-ctx.Done(); return nil, ctx.Err() }}
	waiter := &fake{id: "waiter", interval: time.Hour, timeout: 100 * time.Millisecond,
		fn: func(ctx context.Context, n int) (any, error) { return 1, nil }}
	s := NewScheduler([]Poller{hog}, Options{Concurrency: 1})
	defer run(t, s)()
	<-started // the hog holds the only slot
	start := time.Now()
	_, err := s.poll(context.Background(), waiter, make(chan struct{}, 1))
	if err == nil || !strings.Contains(err.Error(), "waiting for a free slot") || !strings.Contains(err.Error(), "sources.concurrency") {
		t.Fatalf("err = %v", err)
	}
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Fatalf("waited %s for a slot, want about the 100ms timeout", took)
	}
}

func TestSlowConsumerGetsTheLatestSnapshotNotABacklog(t *testing.T) {
	p := &fake{id: "fast", interval: time.Millisecond, timeout: time.Second,
		fn: func(ctx context.Context, n int) (any, error) { return n, nil }}
	s := NewScheduler([]Poller{p}, Options{})
	defer run(t, s)()
	time.Sleep(200 * time.Millisecond) // nobody reads: pollers must not block
	polled := int(p.n.Load())
	if polled < 20 {
		t.Fatalf("only %d polls in 200ms: the poller blocked on delivery", polled)
	}
	// One snapshot may already sit in the unbuffered hand-off; the one after
	// it must be at least as new as the last poll before we started reading.
	<-s.Updates()
	got := (<-s.Updates()).Value.(int)
	if got < polled {
		t.Fatalf("got poll #%d after %d polls: a stale snapshot was queued instead of coalesced", got, polled)
	}
}

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	s := NewScheduler(nil, Options{Jitter: 1e-9})
	tests := []struct {
		interval time.Duration
		failures int
		backoff  time.Duration // the delay is drawn from [backoff/2, backoff], >= interval
	}{
		{time.Second, 0, time.Second},
		{time.Second, 1, time.Second},
		{time.Second, 2, 2 * time.Second},
		{time.Second, 3, 4 * time.Second},
		{time.Second, 4, 8 * time.Second},
		{time.Second, 10, 8 * time.Second},       // 8× interval
		{10 * time.Second, 10, 60 * time.Second}, // 60 s cap
		{2 * time.Minute, 5, 2 * time.Minute},    // never below the interval
	}
	for _, tt := range tests {
		lo := max(tt.interval, tt.backoff/2)
		if tt.failures <= 1 {
			lo = tt.backoff
		}
		for i := 0; i < 200; i++ {
			got := s.delay(tt.interval, tt.failures)
			if got < lo-time.Millisecond || got > tt.backoff+time.Millisecond {
				t.Fatalf("delay(%s, %d) = %s, want within [%s, %s]", tt.interval, tt.failures, got, lo, tt.backoff)
			}
		}
	}
}

// down is a value whose poll worked but whose target is down.
type down struct{}

func (down) Problem() string { return "target down" }

func TestTroubledSourcesTakeAtMostHalfTheSlots(t *testing.T) {
	for _, tc := range []struct {
		name   string
		result func(ctx context.Context) (any, error)
	}{
		{"failing polls", func(ctx context.Context) (any, error) { return nil, errors.New("boom") }},
		{"targets down (a Problem value)", func(ctx context.Context) (any, error) { return down{}, nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var running, peak atomic.Int64
			hang := func(ctx context.Context, n int) (any, error) {
				c := running.Add(1)
				defer running.Add(-1)
				for p := peak.Load(); c > p && !peak.CompareAndSwap(p, c); p = peak.Load() {
				}
				select {
				case <-ctx.Done():
				case <-time.After(12 * time.Millisecond): // just under the timeout
				}
				return tc.result(ctx)
			}
			var ps []Poller
			for i := 0; i < 12; i++ {
				ps = append(ps, &fake{id: fmt.Sprint("hung", i), interval: 20 * time.Millisecond, timeout: 15 * time.Millisecond, fn: hang})
			}
			s := NewScheduler(ps, Options{Concurrency: 8, MaxBackoff: 20 * time.Millisecond})
			stop := run(t, s)
			time.Sleep(80 * time.Millisecond) // every source has been troubled once
			peak.Store(running.Load())
			time.Sleep(300 * time.Millisecond)
			stop()
			if p := peak.Load(); p > 4 {
				t.Fatalf("%d troubled sources polled at once; at most half of 8 may", p)
			}
		})
	}
}

func TestJitterStaysWithinTenPercent(t *testing.T) {
	s := NewScheduler(nil, Options{})
	for i := 0; i < 1000; i++ {
		d := s.delay(time.Second, 0)
		if d < 900*time.Millisecond || d > 1100*time.Millisecond {
			t.Fatalf("delay %s outside ±10%%", d)
		}
	}
}

func TestRunStopsPromptlyWithoutLeakingGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	var ps []Poller
	for i := 0; i < 50; i++ {
		ps = append(ps, &fake{id: string(rune('a' + i)), interval: 5 * time.Millisecond, timeout: time.Second,
			fn: func(ctx context.Context, n int) (any, error) {
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-time.After(time.Duration(n%3) * time.Millisecond):
					return n, nil
				}
			}})
	}
	s := NewScheduler(ps, Options{Concurrency: 8})
	sub := s.Subscribe()
	stop := run(t, s)
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	stop()
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("stop took %s", took)
	}
	for range sub { // closed on return
	}
	for range s.Updates() {
	}
	waitGoroutines(t, before)
}

// waitGoroutines fails unless the goroutine count drops back to at most
// want (plus slack for the runtime) within a second.
func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > want+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, want <= %d:\n%s", runtime.NumGoroutine(), want+2, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProbeOnceRunsInParallelEachWithItsTimeout(t *testing.T) {
	slow := func(ctx context.Context, n int) (any, error) {
		select {
		case <-time.After(200 * time.Millisecond):
			return "ok", nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	ps := []Poller{
		&fake{id: "a", interval: time.Hour, timeout: time.Second, fn: slow},
		&fake{id: "b", interval: time.Hour, timeout: time.Second, fn: slow},
		&fake{id: "c", interval: time.Hour, timeout: 50 * time.Millisecond, fn: slow},
	}
	start := time.Now()
	got := ProbeOnce(context.Background(), ps)
	if took := time.Since(start); took > 350*time.Millisecond {
		t.Fatalf("ProbeOnce took %s; the probes did not run in parallel", took)
	}
	if got[0].Value != "ok" || got[1].Value != "ok" || got[0].ID != "a" {
		t.Fatalf("results = %+v", got)
	}
	if got[2].Err == nil || got[2].Latency > 200*time.Millisecond {
		t.Fatalf("c = %+v, want a timeout after ~50ms", got[2])
	}
}

func TestSubscribeWhileRunningGetsLaterSnapshots(t *testing.T) {
	p := &fake{id: "a", interval: 10 * time.Millisecond, timeout: time.Second,
		fn: func(ctx context.Context, n int) (any, error) { return n, nil }}
	s := NewScheduler([]Poller{p}, Options{})
	stop := run(t, s)
	next(t, s.Updates(), "a")
	sub := s.Subscribe()
	if got := next(t, sub, "a"); got.Value.(int) < 1 {
		t.Fatalf("late subscriber got %+v", got)
	}
	stop()
	for range sub { // must be closed by Run
	}
	if _, ok := <-s.Subscribe(); ok {
		t.Fatal("a subscription after Run returned is not closed")
	}
}

func TestZeroIntervalAndTimeoutAreBounded(t *testing.T) {
	p := &fake{id: "zero", fn: func(ctx context.Context, n int) (any, error) {
		if _, ok := ctx.Deadline(); !ok {
			return nil, errors.New("no deadline")
		}
		return n, nil
	}}
	s := NewScheduler([]Poller{p}, Options{})
	stop := run(t, s)
	snap := next(t, s.Updates(), "zero")
	time.Sleep(50 * time.Millisecond)
	stop()
	if snap.Err != nil {
		t.Fatal(snap.Err)
	}
	if n := p.n.Load(); n > 60 {
		t.Fatalf("%d polls in 50ms with a zero interval: the loop spins", n)
	}
}
