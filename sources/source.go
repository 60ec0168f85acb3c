// Package sources reads the outside world: metrics, health checks, alerts,
// feature flags and changes. Each source polls on its own schedule with a
// strict timeout and a bounded body, and every poll yields an immutable
// Snapshot delivered on a channel. Nothing here blocks its caller, and
// nothing here imports a terminal library.
//
// # Running
//
//	pollers, providers, err := wire.All(cfg, start)   // sources/wire
//	sched := sources.NewScheduler(pollers, wire.Options(cfg))
//	rec := sched.Subscribe()                          // for sources/recorder
//	go sched.Run(ctx)                                 // returns when ctx is done
//	for snap := range sched.Updates() { ... }         // the dashboard
//
// Updates (and each Subscribe channel) keeps only the newest undelivered
// Snapshot per source: a slow reader sees fewer, newer snapshots and never
// blocks a poller. Run closes them when it returns.
//
// # What Snapshot.Value holds, by Kind
//
//	KindMetric   metric.Value      Name, Unit, Current (NaN when State is
//	                               Unknown), History (oldest first, a copy),
//	                               State ok|warn|crit|unknown, Note
//	KindHealth   health.Result     Name, State up|degraded|down, Latency,
//	                               Reason, Status (HTTP code)
//	KindAlerts   []alerts.Alert    most severe first, then oldest first
//	KindFlags    []flags.Flag      see sources/flags
//	KindChanges  []incident.ChangeData  see sources/github
//
// Value is the last good value: after a failed poll it is unchanged, Err
// says why, Failures counts the failed polls in a row and GoodAt dates the
// value (Stale, Age). A health check whose target is down is a successful
// poll whose Result says down. Every string in a Value or an Err that came
// from outside has been through internal/sanitize.
package sources

import (
	"context"
	"time"
)

// Poller is one thing that can be polled: a metric, a health check, the
// alert list, a flag provider, a GitHub repository. The Scheduler owns the
// timing; Poll only does one bounded fetch.
type Poller interface {
	// ID names the source uniquely and stably ("metric/API 5xx/s",
	// "health/api", "alerts", "flags/file", "github/org/repo"); the UI keys
	// its panes' rows by it.
	ID() string
	// Kind groups sources into panes.
	Kind() Kind
	// Interval is the time between polls when healthy.
	Interval() time.Duration
	// Timeout bounds one Poll, connect to last body byte.
	Timeout() time.Duration
	// Poll fetches once. The returned value is the snapshot's Value and
	// must not be mutated afterwards (callers share it across goroutines).
	// It must return promptly when ctx is done.
	Poll(ctx context.Context) (any, error)
}

// Kind is the kind of a source, which decides the pane that shows it.
type Kind string

const (
	KindMetric  Kind = "metric"
	KindHealth  Kind = "health"
	KindAlerts  Kind = "alerts"
	KindFlags   Kind = "flags"
	KindChanges Kind = "changes"
)

// Snapshot is the result of one poll, or of a failed poll on top of the
// last good value. It is immutable once sent.
type Snapshot struct {
	ID        string
	Kind      Kind
	Value     any       // the last good value (nil before the first success)
	FetchedAt time.Time // when this poll finished
	GoodAt    time.Time // when Value was fetched (zero before the first success)
	Err       error     // this poll's error; nil when it succeeded
	Failures  int       // consecutive failed polls
	Latency   time.Duration
}

// Stale reports whether the value shown is not from the latest poll.
func (s Snapshot) Stale() bool { return s.Err != nil }

// Age is how old the value shown is at now.
func (s Snapshot) Age(now time.Time) time.Duration {
	if s.GoodAt.IsZero() {
		return 0
	}
	return now.Sub(s.GoodAt)
}

// Problem is implemented by values that report trouble although the poll
// itself worked, such as a health check that found its target down.
// `sitrep check` counts them as failures, and the Scheduler gives such
// sources the same limited share of its slots as failing ones.
type Problem interface {
	// Problem says what is wrong, or "" when nothing is.
	Problem() string
}

// Troubled reports whether s is a failed poll or carries a Problem.
func (s Snapshot) Troubled() bool {
	if s.Err != nil {
		return true
	}
	p, ok := s.Value.(Problem)
	return ok && p.Problem() != ""
}
