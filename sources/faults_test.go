package sources_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/alerts"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/internal/testsrv"
	"github.com/sitrep-dev/sitrep/sources/metric"
	"github.com/sitrep-dev/sitrep/sources/selector"
)

// fault is one way the outside world misbehaves, and what each kind of
// source must then say.
type fault struct {
	name string
	url  func(t *testing.T) string
	// want is the substring the error (or health reason) must contain,
	// per poller kind; "*" applies to all.
	want map[string]string
}

const (
	faultTimeout = 300 * time.Millisecond
	// faultMaxBody is the body cap in these tests. The default (10 MiB)
	// would also do on an idle machine, but reading 4×10 MiB under -race
	// on two shared cores can take longer than the timeout.
	faultMaxBody = 1 << 20
)

func faults(sent *atomic.Int64) []fault {
	return []fault{
		{"accepts and never answers", func(t *testing.T) string { return "http://" + testsrv.Hung(t) },
			map[string]string{"*": "timed out"}},
		{"headers then one byte a second", func(t *testing.T) string { return testsrv.Drip(t) },
			map[string]string{"*": "timed out"}},
		{"100 MB body", func(t *testing.T) string { return testsrv.Flood(t, 100<<20, sent) },
			map[string]string{"*": "response body too large: more than 1048576 bytes"}},
		{"HTTP 500", func(t *testing.T) string {
			return testsrv.Fixed(t, 500, "text/plain", "upstream connect error\x1b[31m")
		}, map[string]string{"*": "500", "prom": "server error: 500"}},
		{"malformed body", func(t *testing.T) string {
			return testsrv.Fixed(t, 200, "application/json", "{\"status\":\"success\",\"data\": [1,\n# TYPE x gauge\nx{ 1\n")
		}, map[string]string{"scrape": "malformed exposition text", "alerts": "malformed alert list", "prom": "malformed response", "health": "body does not contain"}},
		{"connection refused", func(t *testing.T) string { return "http://" + testsrv.Refused(t) },
			map[string]string{"*": "connection refused"}},
		{"unresolvable host", func(t *testing.T) string { return "http://sitrep-test.invalid" },
			map[string]string{"*": "cannot resolve host"}},
	}
}

// faultPollers builds one poller of each HTTP kind against url.
func faultPollers(t *testing.T, name, url string, client *http.Client) map[string]sources.Poller {
	sel, _ := selector.Parse("x")
	iv := time.Second
	return map[string]sources.Poller{
		"scrape": &metric.Scrape{Name: "scrape " + name, URL: url + "/metrics", Series: sel, Every: iv, Limit: faultTimeout, Client: client, MaxBody: faultMaxBody},
		"prom":   &metric.Prom{Name: "prom " + name, URL: url, Query: "up", Every: iv, Limit: faultTimeout, Client: client, MaxBody: faultMaxBody},
		"alerts": &alertsWithID{id: "alerts " + name, Poller: &alerts.Poller{URL: url, Every: iv, Limit: faultTimeout, Client: client, MaxBody: faultMaxBody}},
		"health": &health.HTTP{Name: "health " + name, URL: url + "/healthz", BodyContains: "ok", Every: iv, Limit: faultTimeout, Client: client, MaxBody: faultMaxBody},
	}
}

// alertsWithID gives each alerts poller its own ID (the real one is unique).
type alertsWithID struct {
	id string
	*alerts.Poller
}

func (a *alertsWithID) ID() string { return a.id }

// cadence is a healthy source polled every 50 ms, counting its polls.
type cadence struct{ n atomic.Int64 }

func (c *cadence) ID() string                        { return "cadence" }
func (c *cadence) Kind() sources.Kind                { return sources.KindMetric }
func (c *cadence) Interval() time.Duration           { return 50 * time.Millisecond }
func (c *cadence) Timeout() time.Duration            { return 40 * time.Millisecond }
func (c *cadence) Poll(context.Context) (any, error) { return c.n.Add(1), nil }

// TestFaultsYieldAClearErrorInTime runs each fault against every HTTP
// source kind at once, in one scheduler next to a healthy source.
func TestFaultsYieldAClearErrorInTime(t *testing.T) {
	var sent atomic.Int64
	for _, f := range faults(&sent) {
		t.Run(f.name, func(t *testing.T) {
			sent.Store(0)
			client := sources.NewHTTPClient(faultTimeout, testsrv.NXDomainResolver(t))
			defer client.CloseIdleConnections()
			url := f.url(t)
			kinds := map[string]string{}
			var pollers []sources.Poller
			for kind, p := range faultPollers(t, f.name, url, client) {
				kinds[p.ID()] = kind
				pollers = append(pollers, p)
			}
			c := &cadence{}
			pollers = append(pollers, c)
			before := runtime.NumGoroutine() // the fault server is running now

			var peakHeap atomic.Uint64
			stopMem := watchHeap(&peakHeap)
			s := sources.NewScheduler(pollers, sources.Options{Jitter: 0.001})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			start := time.Now()
			go func() { _ = s.Run(ctx); close(done) }()

			seen := map[string]bool{}
			deadline := time.After(3 * time.Second)
			for len(seen) < len(kinds) {
				var snap sources.Snapshot
				select {
				case snap = <-s.Updates():
				case <-deadline:
					t.Fatalf("only %d of %d faulty sources reported within 3s", len(seen), len(kinds))
				}
				kind, ok := kinds[snap.ID]
				if !ok || seen[snap.ID] {
					continue
				}
				seen[snap.ID] = true
				arrived := time.Since(start)
				want, ok := f.want[kind]
				if !ok {
					want = f.want["*"]
				}
				msg := errorText(snap)
				t.Logf("%-7s %4dms  %s", kind, snap.Latency.Milliseconds(), msg)
				if !strings.Contains(msg, want) {
					t.Errorf("%s: got %q, want it to contain %q", kind, msg, want)
				}
				if strings.ContainsAny(msg, "\x1b\x07") {
					t.Errorf("%s: control characters reached the error: %q", kind, msg)
				}
				// The first poll's spread is 1 s × Jitter 0.001 = 1 ms.
				if limit := faultTimeout + 100*time.Millisecond; snap.Latency > limit || arrived > limit+10*time.Millisecond {
					t.Errorf("%s: reported after %s (poll %s), want within timeout+100ms", kind, arrived, snap.Latency)
				}
			}
			// Judge the healthy source's cadence over a window in which the
			// fault was active throughout.
			time.Sleep(600*time.Millisecond - time.Since(start))
			elapsed := time.Since(start)
			polls := c.n.Load()
			share := int64(8) // of 10: the healthy source keeps 80 % of its polls
			if raceEnabled {
				share = 4
			}
			if want := int64(elapsed/(50*time.Millisecond)) * share / 10; polls < want {
				t.Errorf("healthy source polled %d times in %s, want >= %d: the fault slowed it down", polls, elapsed, want)
			}
			cancel()
			<-done
			stopMem()
			if s := sent.Load(); s > 4*40<<20 {
				t.Errorf("flood server wrote %d MB: bodies were not cut off at the cap", s>>20)
			}
			if p := peakHeap.Load(); p > 150<<20 {
				t.Errorf("peak heap %d MB, want bounded by the body caps", p>>20)
			}
			t.Logf("peak heap %d MB, bytes sent %d MB, healthy polls %d in %s", peakHeap.Load()>>20, sent.Load()>>20, polls, elapsed.Round(time.Millisecond))
			client.CloseIdleConnections()
			waitGoroutines(t, before)
		})
	}
}

func errorText(s sources.Snapshot) string {
	if s.Err != nil {
		return s.Err.Error()
	}
	if r, ok := s.Value.(health.Result); ok && r.State == health.Down {
		return r.Reason
	}
	return fmt.Sprintf("no error (value %v)", s.Value)
}

func watchHeap(peak *atomic.Uint64) (stop func()) {
	var wg sync.WaitGroup
	quit := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-quit:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() { close(quit); wg.Wait() }
}

func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > want+3 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<18)
			t.Fatalf("%d goroutines after stop, want <= %d:\n%s", runtime.NumGoroutine(), want+3, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
