// Package metric turns numbers from the outside world into dashboard
// metrics: a PromQL query against Prometheus (Prom) or a series scraped
// straight from a /metrics endpoint (Scrape). Both pollers yield a Value.
//
// The UI renders a metric snapshot with a type switch on Snapshot.Value:
//
//	case metric.Value: v.Name, v.Current (NaN while State is Unknown),
//	    v.Unit, v.History (oldest first, for the sparkline), v.State.
//
// A Value is immutable: History is a fresh copy in every Value.
package metric

import (
	"math"
	"time"
)

// State is where a metric stands against its thresholds.
type State string

const (
	OK      State = "ok"
	Warn    State = "warn"
	Crit    State = "crit"
	Unknown State = "unknown" // no number yet (a counter's first scrape)
)

// Value is one metric reading as the dashboard shows it.
type Value struct {
	Name    string
	Unit    string
	Current float64   // NaN when State is Unknown
	History []float64 // oldest first; at most HistorySize points; a copy
	State   State
	At      time.Time // when Current was measured
	// Note explains something worth knowing that is not an error: a
	// Prometheus warning, "sum of 3 series", "rate after the next scrape".
	// Sanitized, one line.
	Note string
}

// HistorySize is how many points a metric keeps for its sparkline.
const HistorySize = 120

// Thresholds turn a value into a State. A nil bound is not checked.
// Below flips the direction: low values are bad (free disk, success rate).
type Thresholds struct {
	Warn, Crit *float64
	Below      bool
}

// State classifies v. NaN is Unknown; reaching a bound counts as past it.
func (t Thresholds) State(v float64) State {
	if math.IsNaN(v) {
		return Unknown
	}
	past := func(b *float64) bool {
		if b == nil {
			return false
		}
		if t.Below {
			return v <= *b
		}
		return v >= *b
	}
	switch {
	case past(t.Crit):
		return Crit
	case past(t.Warn):
		return Warn
	}
	return OK
}

// ring is a fixed-size history; the zero value is not usable (use newRing).
type ring struct {
	buf   []float64
	start int
	n     int
}

func newRing(size int) *ring { return &ring{buf: make([]float64, size)} }

func (r *ring) push(v float64) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = v
		r.n++
		return
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
}

func (r *ring) reset(vs []float64) {
	r.start, r.n = 0, 0
	if len(vs) > len(r.buf) {
		vs = vs[len(vs)-len(r.buf):]
	}
	for _, v := range vs {
		r.push(v)
	}
}

// values returns a copy, oldest first.
func (r *ring) values() []float64 {
	out := make([]float64, r.n)
	for i := range out {
		out[i] = r.buf[(r.start+i)%len(r.buf)]
	}
	return out
}
