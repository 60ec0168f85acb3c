package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// The story's constants, in story time (real time × Speed). They are tuned
// so that at Speed 1 a newcomer sees a calm service for 5 s, the pool
// crossing warn (70 %) at about 10 s and crit (90 %) at about 13 s, and a
// recovery within about 2 s of the kill switch (measured by
// TestStoryTimingAtRealSpeed).
const (
	leakStart   = 5 * time.Second // when the async-writes path starts leaking
	poolMax     = 100             // so connections in use read as a percentage
	baseConns   = 18.0            // connections a healthy service holds
	leakPerSec  = 10.0            // connections leaked per second while async writes are on
	maxDemand   = 1.4 * poolMax   // leaked demand beyond this is clients giving up
	drainPerSec = 1.0             // fraction of leaked connections returned per second once off
	drainFloor  = 8.0             // connections per second returned at least while draining
	baseRPS     = 120.0
	poolTimeout = 3.0 // seconds a request waits for a connection before a 503
	baseErrFrac = 0.0015
	latMedian   = 0.035 // seconds, healthy request latency median (p99 ≈ 80 ms)
	latSigma    = 0.35
)

// state is what the simulated service looks like at one instant. It is a
// value: readers get a copy and never see it change.
type state struct {
	Story       time.Duration // story time since start
	AsyncWrites bool          // the flag as the service last evaluated it
	Demand      float64       // connections the service wants (held + waiting)
	InUse       int           // connections held, ≤ poolMax
	Waiting     int           // requests queued for a connection
	RPS         float64       // offered request rate, per real second
	WaitMean    float64       // mean pool wait of one request, seconds
	ErrFrac     float64       // expected fraction of requests failing with 5xx
}

// Usage is the pool's fill, 0..1.
func (s state) Usage() float64 { return float64(s.InUse) / poolMax }

// Saturated reports whether requests are queueing for connections.
func (s state) Saturated() bool { return s.Demand >= poolMax }

// pressure is how far demand is into the pool's last quarter: ≤ 0 means no
// wait at all, 1 means demand equals the pool size.
func (s state) pressure() float64 { return (s.Demand - 0.75*poolMax) / (0.25 * poolMax) }

// sim is the simulation. It is not safe for concurrent use; the world's
// tick goroutine owns it.
type sim struct {
	rng    *rand.Rand
	story  time.Duration
	leaked float64
	carry  float64 // fractional requests carried to the next tick
	cur    state
}

func newSim(seed uint64, asyncOn bool) *sim {
	m := &sim{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	m.cur = m.derive(asyncOn)
	return m
}

// step advances the story by dt with the async-writes flag as given and
// returns the new state.
func (m *sim) step(dt time.Duration, asyncOn bool) state {
	m.story += dt
	sec := dt.Seconds()
	switch {
	case asyncOn && m.story >= leakStart:
		m.leaked += leakPerSec * sec * (0.7 + 0.6*m.rng.Float64())
		m.leaked = math.Min(m.leaked, maxDemand-baseConns)
	case !asyncOn:
		m.leaked -= math.Max(m.leaked*drainPerSec*sec, drainFloor*sec)
		m.leaked = math.Max(m.leaked, 0)
	}
	m.cur = m.derive(asyncOn)
	return m.cur
}

func (m *sim) derive(asyncOn bool) state {
	t := m.story.Seconds()
	// A slow daily-ish wave plus noise keeps the numbers alive.
	held := baseConns + 3*math.Sin(t/7) + m.rng.NormFloat64()*1.2
	s := state{
		Story:       m.story,
		AsyncWrites: asyncOn,
		Demand:      math.Max(held+m.leaked, 0),
		RPS:         baseRPS * (1 + 0.08*math.Sin(t/11) + 0.03*m.rng.NormFloat64()),
	}
	s.InUse = int(math.Round(math.Min(s.Demand, poolMax)))
	if s.Demand > poolMax {
		// Every connection-less request queues; the queue is the excess
		// demand scaled by how many requests each connection serves.
		s.Waiting = int(math.Round((s.Demand - poolMax) * 1.5))
	}
	if p := s.pressure(); p > 0 {
		s.WaitMean = 0.02 * math.Exp(3.5*math.Min(p, 1.6))
		s.ErrFrac = math.Exp(-poolTimeout / s.WaitMean)
	}
	s.ErrFrac = math.Min(baseErrFrac+s.ErrFrac, 1)
	return s
}

// request is one simulated request: its latency and status code.
type request struct {
	Seconds float64
	Code    int
}

// requests returns the requests served during realDt at the current state.
// Rates are per real second whatever the Speed, so a dashboard reads
// plausible requests/s while the story runs faster.
func (m *sim) requests(realDt time.Duration) []request {
	n := m.cur.RPS*realDt.Seconds() + m.carry
	count := int(n)
	m.carry = n - float64(count)
	out := make([]request, count)
	for i := range out {
		lat := latMedian * math.Exp(latSigma*m.rng.NormFloat64())
		code := 200
		if m.cur.WaitMean > 0 {
			wait := m.rng.ExpFloat64() * m.cur.WaitMean
			if wait >= poolTimeout {
				wait, code = poolTimeout, 503
			}
			lat += wait
		}
		if code == 200 && m.rng.Float64() < baseErrFrac {
			code = 500
		}
		out[i] = request{Seconds: lat, Code: code}
	}
	return out
}
