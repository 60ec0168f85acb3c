// Package health runs HTTP and TCP health checks. Each check is a
// sources.Poller whose value is a Result.
//
// The UI renders a health snapshot with a type switch on Snapshot.Value:
//
//	case health.Result: r.Name, r.State (up | degraded | down), r.Latency,
//	    r.Reason (why it is not up; sanitized, one short line), r.Status
//	    (HTTP status, 0 for TCP or when no response arrived).
//
// A target that is down is not a failed poll: the poll worked and learned
// the target is down, so Snapshot.Err is nil and the Result says down. A
// failed poll (Snapshot.Err set) means the check itself could not run, for
// example an environment variable for a header is missing.
package health

import (
	"fmt"
	"time"

	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// State is a check's verdict.
type State string

const (
	Up       State = "up"
	Degraded State = "degraded" // answered correctly, but slower than max_latency
	Down     State = "down"
)

// Result is one check's outcome.
type Result struct {
	Name    string
	State   State
	Latency time.Duration // time to the verdict (connect, or the whole HTTP exchange)
	Reason  string        // empty when up
	Status  int           // HTTP status code; 0 for TCP or no response
	At      time.Time
}

// Problem (sources.Problem) makes `sitrep check` report a down target as
// a failure and the scheduler count the check among the troubled sources.
func (r Result) Problem() string {
	if r.State == Down {
		return r.Reason
	}
	return ""
}

// reason is a short, clean one-line explanation.
func reason(format string, args ...any) string {
	s := sanitize.Line(fmt.Sprintf(format, args...))
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return s
}
