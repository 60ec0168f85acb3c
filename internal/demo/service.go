package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serviceMetrics is what the simulated service exports on /metrics.
type serviceMetrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  prometheus.Histogram
	inUse    prometheus.Gauge
	poolMax  prometheus.Gauge
	waiting  prometheus.Gauge
	asyncOn  prometheus.Gauge
	reloads  *prometheus.CounterVec
}

func newServiceMetrics() *serviceMetrics {
	m := &serviceMetrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "demo_http_requests_total", Help: "HTTP requests served, by status code.",
		}, []string{"code"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "demo_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, including the wait for a database connection.",
			Buckets: []float64{.01, .025, .05, .075, .1, .15, .2, .3, .5, .75, 1, 1.5, 2, 2.5, 3, 5},
		}),
		inUse: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "demo_db_connections_in_use", Help: "Database connections currently checked out of the pool.",
		}),
		poolMax: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "demo_db_connections_max", Help: "Size of the database connection pool.",
		}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "demo_db_connections_waiting", Help: "Requests queued waiting for a database connection.",
		}),
		asyncOn: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "demo_feature_async_writes_enabled", Help: "1 while the service runs the async-writes code path.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "demo_flags_reloads_total", Help: "Reloads of the flags file, by result.",
		}, []string{"result"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.inUse, m.poolMax, m.waiting, m.asyncOn, m.reloads)
	// Every series exists from the first scrape, so selectors match at once.
	for _, c := range []string{"200", "500", "503"} {
		m.requests.WithLabelValues(c)
	}
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("error")
	m.poolMax.Set(poolMax)
	return m
}

// simulate advances the story every storyTick (scaled by speed) until the
// world stops.
func (w *World) simulate(m *sim) {
	t := time.NewTicker(w.scaled(storyTick))
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-w.ctx.Done():
			return
		case now := <-t.C:
			// Measured, not nominal, so a stalled tick does not slow the story.
			realDt := min(now.Sub(last), time.Second)
			last = now
			w.mu.RLock()
			on := w.flags.boolValue(FlagKey, false)
			w.mu.RUnlock()

			st := m.step(time.Duration(float64(realDt)*w.speed), on)
			for _, r := range m.requests(realDt) {
				w.metrics.requests.WithLabelValues(strconv.Itoa(r.Code)).Inc()
				w.metrics.latency.Observe(r.Seconds)
			}
			w.metrics.setState(st)

			w.mu.Lock()
			w.st = st
			w.alerts.eval(st, now)
			w.mu.Unlock()
		}
	}
}

// setState publishes the gauges that mirror the simulation state.
func (m *serviceMetrics) setState(st state) {
	m.inUse.Set(float64(st.InUse))
	m.waiting.Set(float64(st.Waiting))
	on := 0.0
	if st.AsyncWrites {
		on = 1
	}
	m.asyncOn.Set(on)
}

// watchFlags re-reads the flags file like flagd's file sync: a change is
// live within one poll; a broken file is reported and the last good flags
// stay in force.
func (w *World) watchFlags() {
	t := time.NewTicker(w.scaled(flagPoll))
	defer t.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-t.C:
			_ = w.reloadFlags()
		}
	}
}

func (w *World) reloadFlags() error {
	data, err := os.ReadFile(w.flagsPath)
	w.mu.RLock()
	same := err == nil && bytes.Equal(data, w.rawFlags)
	w.mu.RUnlock()
	if same {
		return nil
	}
	var fs *flagSet
	if err == nil {
		fs, err = parseFlags(data)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		// Count each distinct failure once, not once per poll.
		if w.flagErr == nil || w.flagErr.Error() != err.Error() {
			w.metrics.reloads.WithLabelValues("error").Inc()
		}
		w.flagErr = err
		return err
	}
	w.flags, w.rawFlags, w.flagErr = fs, data, nil
	w.metrics.reloads.WithLabelValues("ok").Inc()
	return nil
}

// FlagsError is the last error re-reading the flags file (nil when the
// file currently in force loaded cleanly).
func (w *World) FlagsError() error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.flagErr
}

func (w *World) state() state {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.st
}

// Health endpoints: how slow a struggling service answers. Real time, not
// story time: max_latency in the config is real time too.
const (
	slowHealth     = 320 * time.Millisecond
	degradedAt     = 0.3 // pool pressure from which /healthz is slow
	maxHealthDelay = 380 * time.Millisecond
)

func (w *World) apiHandler() http.Handler {
	mux := http.NewServeMux()
	// No gzip: the scraper is in the same process, on loopback, every
	// second; compressing costs both sides CPU and a pooled writer's memory.
	mux.Handle("GET /metrics", promhttp.HandlerFor(w.metrics.reg, promhttp.HandlerOpts{DisableCompression: true}))
	mux.HandleFunc("GET /healthz", w.apiHealth)
	mux.HandleFunc("GET /db/healthz", w.dbHealth)
	return mux
}

// apiHealth answers fast while the pool is fine, slowly (degraded) once
// requests wait for connections, and 503 once the pool is exhausted.
func (w *World) apiHealth(rw http.ResponseWriter, r *http.Request) {
	st := w.state()
	pool := fmt.Sprintf("%d/%d", st.InUse, poolMax)
	switch {
	case st.Saturated():
		writeJSON(rw, http.StatusServiceUnavailable, map[string]any{
			"status": "unavailable",
			"reason": fmt.Sprintf("database connection pool exhausted (%s in use, %d requests waiting)", pool, st.Waiting),
		})
	case st.pressure() >= degradedAt:
		delay := min(slowHealth+time.Duration(float64(60*time.Millisecond)*st.pressure()), maxHealthDelay)
		if !sleepCtx(r, delay) {
			return
		}
		writeJSON(rw, http.StatusOK, map[string]any{"status": "ok", "db_pool": pool, "note": "waiting for database connections"})
	default:
		writeJSON(rw, http.StatusOK, map[string]any{"status": "ok", "db_pool": pool})
	}
}

// dbHealth is the database's own check: it stays up, but is slow while the
// pool is exhausted (it has to wait for a connection too).
func (w *World) dbHealth(rw http.ResponseWriter, r *http.Request) {
	st := w.state()
	if st.Saturated() && !sleepCtx(r, slowHealth) {
		return
	}
	writeJSON(rw, http.StatusOK, map[string]any{"status": "ok", "connections": st.InUse, "max_connections": poolMax})
}

// sleepCtx waits d unless the request or the world ends first.
func sleepCtx(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func writeJSON(rw http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(rw, "encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(code)
	rw.Write(append(body, '\n'))
}
