package sources

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Options tune a Scheduler. Zero values take the defaults.
type Options struct {
	// Concurrency bounds how many polls run at once (default 32). A poll
	// waiting for a slot still has its deadline running.
	Concurrency int
	// Jitter spreads polls by ±this fraction of the interval (default 0.1)
	// so many sources on one interval do not fire in lockstep.
	Jitter float64
	// MaxBackoff caps the delay after consecutive failures (default:
	// 8× the interval, but at most 60 s and never less than the interval).
	MaxBackoff time.Duration
}

// Scheduler polls every Poller on its own interval, each poll bounded by
// the poller's Timeout, and publishes a Snapshot after every poll. After a
// failure the snapshot keeps the last good value (Stale reports it) and
// the next poll backs off exponentially: interval, 2×, 4×, … up to the cap
// (see delay). Failing sources, and those whose value reports a Problem
// (a target down), share at most half of the concurrency, so healthy ones
// keep their cadence when many targets hang at once.
//
// Delivery never blocks a poller: each subscriber has an outlet that keeps
// only the newest undelivered snapshot per source.
type Scheduler struct {
	pollers []Poller
	opts    Options
	sem     chan struct{} // one per running poll
	sick    chan struct{} // one per running retry of a failing source

	polls sync.WaitGroup // running Poll calls

	outlets atomic.Pointer[[]*outlet] // copy-on-write: read by every poll

	mu       sync.Mutex
	started  bool
	finished bool
	runCtx   context.Context
	late     sync.WaitGroup // outlets subscribed while running
}

// Guards against pollers built without config defaults.
const (
	minInterval    = time.Millisecond
	defaultTimeout = 2 * time.Second
)

// abandonAfter is how long Run waits, once stopped, for Polls that ignore
// their context before returning anyway.
const abandonAfter = time.Second

// NewScheduler prepares a scheduler; nothing runs until Run.
func NewScheduler(pollers []Poller, opts Options) *Scheduler {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 32
	}
	if opts.Jitter <= 0 {
		opts.Jitter = 0.1
	}
	s := &Scheduler{pollers: pollers, opts: opts, sem: make(chan struct{}, opts.Concurrency),
		sick: make(chan struct{}, max(1, opts.Concurrency/2))}
	s.outlets.Store(&[]*outlet{newOutlet()})
	return s
}

// Updates is the primary subscription (the dashboard's). It is closed when
// Run returns.
func (s *Scheduler) Updates() <-chan Snapshot { return (*s.outlets.Load())[0].out }

// Subscribe adds another independent subscription (the recorder's), which
// gets every snapshot published from now on, coalesced per source like
// Updates. It may be called before or while Run runs; the channel is closed
// when Run returns (at once if it already has).
func (s *Scheduler) Subscribe() <-chan Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := newOutlet()
	if s.finished {
		close(o.out)
		return o.out
	}
	old := *s.outlets.Load()
	grown := append(append([]*outlet(nil), old...), o)
	s.outlets.Store(&grown)
	if s.started {
		s.late.Add(1)
		go func() { defer s.late.Done(); o.run(s.runCtx) }()
	}
	return o.out
}

// Run polls until ctx is done and returns once every goroutine it started
// has exited — except a Poll that ignores its context, which is abandoned
// after abandonAfter so that stopping stays prompt. It returns ctx.Err().
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("sources: Scheduler.Run called twice")
	}
	s.started = true
	s.runCtx = ctx
	outlets := *s.outlets.Load()
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, o := range outlets {
		wg.Add(1)
		go func() { defer wg.Done(); o.run(ctx) }()
	}
	for _, p := range s.pollers {
		wg.Add(1)
		go func() { defer wg.Done(); s.loop(ctx, p) }()
	}
	wg.Wait()
	s.mu.Lock()
	s.finished = true
	s.mu.Unlock()
	s.late.Wait()
	done := make(chan struct{})
	go func() { s.polls.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(abandonAfter):
	}
	return ctx.Err()
}

func (s *Scheduler) publish(snap Snapshot) {
	for _, o := range *s.outlets.Load() {
		o.put(snap)
	}
}

// loop is one source's life: poll, publish, wait, repeat.
func (s *Scheduler) loop(ctx context.Context, p Poller) {
	// Spread the first polls (over a tenth of the interval, at most a
	// second so the screen fills fast) so that a large config does not
	// open every connection in the same millisecond.
	spread := min(time.Duration(s.opts.Jitter*float64(p.Interval())), time.Second)
	timer := time.NewTimer(time.Duration(rand.Float64() * float64(spread)))
	defer timer.Stop()
	var last Snapshot
	last.ID, last.Kind = p.ID(), p.Kind()
	busy := make(chan struct{}, 1) // held while a Poll runs
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		troubled := last.Troubled()
		if troubled {
			// A failing source (or one whose target is down) may only poll
			// while fewer than half the slots are held by such sources, so
			// that a dependency hanging behind many checks at once cannot
			// starve the healthy ones. Otherwise it waits for its next turn.
			select {
			case s.sick <- struct{}{}:
			default:
				timer.Reset(s.delay(p.Interval(), last.Failures))
				continue
			}
		}
		last = s.pollOnce(ctx, p, last, busy)
		if troubled {
			<-s.sick
		}
		if ctx.Err() != nil {
			return
		}
		s.publish(last)
		timer.Reset(s.delay(p.Interval(), last.Failures))
	}
}

// delay is the wait before the next poll: the interval with ±Jitter; after
// consecutive failures, the backoff (the interval doubled per failure
// beyond the first, up to the cap) drawn from [backoff/2, backoff] but never
// under the interval, so sources that failed together (one dependency
// behind many checks) do not retry in lockstep.
func (s *Scheduler) delay(interval time.Duration, failures int) time.Duration {
	interval = max(interval, minInterval) // a zero interval must not spin
	d := interval
	if failures > 1 {
		limit := s.opts.MaxBackoff
		if limit <= 0 {
			limit = min(8*interval, 60*time.Second)
		}
		limit = max(limit, interval)
		for i := 1; i < failures && d < limit; i++ {
			d *= 2
		}
		d = min(d, limit)
		return max(interval, d/2+time.Duration(rand.Float64()*float64(d/2)))
	}
	j := s.opts.Jitter
	return time.Duration(float64(d) * (1 - j + 2*j*rand.Float64()))
}

// pollOnce runs one bounded poll and folds it into the previous snapshot.
func (s *Scheduler) pollOnce(ctx context.Context, p Poller, last Snapshot, busy chan struct{}) Snapshot {
	start := time.Now()
	v, err := s.poll(ctx, p, busy)
	next := last
	next.FetchedAt = time.Now()
	next.Latency = next.FetchedAt.Sub(start)
	next.Err = err
	if err != nil {
		next.Failures++
		return next
	}
	next.Value, next.GoodAt, next.Failures = v, next.FetchedAt, 0
	return next
}

// poll runs p.Poll under the poller's deadline and the concurrency limit.
// The result is returned at the deadline even if Poll does not honour its
// context; such a Poll keeps its slot until it does return, and the
// source is not polled again meanwhile (busy), so nothing piles up.
func (s *Scheduler) poll(ctx context.Context, p Poller, busy chan struct{}) (any, error) {
	timeout := p.Timeout()
	if timeout <= 0 {
		timeout = defaultTimeout // a poller that forgot one still gets a bound
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case busy <- struct{}{}:
	default:
		return nil, fmt.Errorf("previous poll still running past its %s timeout (the source ignores cancellation)", timeout)
	}
	select {
	case s.sem <- struct{}{}:
	case <-pctx.Done():
		<-busy
		return nil, fmt.Errorf("timed out after %s waiting for a free slot (all %d in use; raise sources.concurrency)", timeout, cap(s.sem))
	}
	type result struct {
		v   any
		err error
	}
	done := make(chan result, 1)
	s.polls.Add(1)
	go func() {
		defer s.polls.Done()
		defer func() { <-s.sem; <-busy }()
		defer func() {
			if r := recover(); r != nil {
				done <- result{nil, fmt.Errorf("poll panicked: %v", r)}
			}
		}()
		v, err := p.Poll(pctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		if r.err != nil && pctx.Err() == context.DeadlineExceeded && ctx.Err() == nil && !errors.Is(r.err, context.DeadlineExceeded) {
			r.err = fmt.Errorf("%w (timeout %s)", r.err, timeout)
		}
		return r.v, r.err
	case <-pctx.Done():
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Give a well-behaved Poll a moment to return its own, more
		// specific error before answering for it.
		select {
		case r := <-done:
			return r.v, r.err
		case <-time.After(50 * time.Millisecond):
			return nil, fmt.Errorf("timed out after %s (check the target, or raise timeout if it is just slow)", timeout)
		}
	}
}

// ProbeOnce polls every poller once, all in parallel, each under its own
// timeout, and returns their snapshots in the pollers' order. It is what
// `sitrep check` runs.
func ProbeOnce(ctx context.Context, pollers []Poller) []Snapshot {
	s := NewScheduler(nil, Options{Concurrency: max(len(pollers), 1)})
	out := make([]Snapshot, len(pollers))
	var wg sync.WaitGroup
	for i, p := range pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = s.pollOnce(ctx, p, Snapshot{ID: p.ID(), Kind: p.Kind()}, make(chan struct{}, 1))
		}()
	}
	wg.Wait()
	return out
}
