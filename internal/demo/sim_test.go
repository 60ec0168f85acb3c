package demo

import (
	"sort"
	"testing"
	"time"
)

// runSim steps a fresh simulation for story time d with the flag as given
// and returns the last state.
func runSim(m *sim, d time.Duration, asyncOn bool) state {
	var st state
	for end := m.story + d; m.story < end; {
		st = m.step(storyTick, asyncOn)
	}
	return st
}

func TestSimStory(t *testing.T) {
	tests := []struct {
		name  string
		flags []bool          // the flag during each phase
		spans []time.Duration // story time of each phase
		check func(state) string
	}{
		{"calm before the leak starts", []bool{true}, []time.Duration{leakStart - storyTick}, func(s state) string {
			if s.InUse > 30 || s.ErrFrac > 0.01 || s.WaitMean != 0 {
				return "expected a calm pool"
			}
			return ""
		}},
		{"async writes saturate the pool within 30 s", []bool{true}, []time.Duration{30 * time.Second}, func(s state) string {
			if !s.Saturated() || s.InUse != poolMax || s.Waiting == 0 || s.ErrFrac < 0.05 {
				return "expected saturation with waiters and ≥ 5 % errors"
			}
			return ""
		}},
		{"the flag off from the start never leaks", []bool{false}, []time.Duration{60 * time.Second}, func(s state) string {
			if s.InUse > 30 || s.ErrFrac > 0.01 {
				return "expected a calm pool"
			}
			return ""
		}},
		{"the kill switch drains the pool within 4 s", []bool{true, false}, []time.Duration{40 * time.Second, 4 * time.Second}, func(s state) string {
			if s.InUse > 30 || s.Waiting != 0 || s.ErrFrac > 0.01 || s.WaitMean != 0 {
				return "expected recovery"
			}
			return ""
		}},
		{"re-enabling brings the incident back", []bool{true, false, true}, []time.Duration{40 * time.Second, 10 * time.Second, 25 * time.Second}, func(s state) string {
			if !s.Saturated() {
				return "expected saturation again"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newSim(3, tt.flags[0])
			var st state
			for i, on := range tt.flags {
				st = runSim(m, tt.spans[i], on)
			}
			if msg := tt.check(st); msg != "" {
				t.Errorf("%s; got %+v", msg, st)
			}
		})
	}
}

func TestSimRequestsFollowThePool(t *testing.T) {
	healthy := newSim(5, true)
	sick := newSim(5, true)
	runSim(sick, 40*time.Second, true)

	for _, tc := range []struct {
		name           string
		m              *sim
		maxP99, minErr float64
		maxErr         float64
	}{
		{"healthy: p99 under 150 ms, almost no errors", healthy, 0.15, 0, 0.01},
		{"saturated: p99 in seconds, many 503s", sick, 10, 0.05, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reqs := tc.m.requests(10 * time.Second)
			if n := len(reqs); n < 1000 || n > 1400 {
				t.Fatalf("10 s at ~120 req/s gave %d requests", n)
			}
			var lat []float64
			errs := 0
			for _, r := range reqs {
				lat = append(lat, r.Seconds)
				if r.Code >= 500 {
					errs++
				}
			}
			p99 := quantile(lat, 0.99)
			errFrac := float64(errs) / float64(len(reqs))
			if p99 > tc.maxP99 || errFrac < tc.minErr || errFrac > tc.maxErr {
				t.Errorf("p99 %.3fs, error fraction %.3f", p99, errFrac)
			}
			if tc.m == sick && p99 < 1 {
				t.Errorf("saturated p99 %.3fs, want seconds", p99)
			}
		})
	}
}

func TestSimIsDeterministicForASeed(t *testing.T) {
	a, b := newSim(9, true), newSim(9, true)
	if runSim(a, 20*time.Second, true) != runSim(b, 20*time.Second, true) {
		t.Error("two simulations with one seed diverged")
	}
}

func quantile(xs []float64, q float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[int(q*float64(len(s)-1))]
}
