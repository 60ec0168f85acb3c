package sources_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/internal/testsrv"
)

// timed wraps a poller and records when each poll started and how long it
// took, to judge whether healthy checks ran on time.
type timed struct {
	sources.Poller
	mu     sync.Mutex
	starts []time.Time
	lats   []time.Duration
}

func (t *timed) Poll(ctx context.Context) (any, error) {
	start := time.Now()
	v, err := t.Poller.Poll(ctx)
	t.mu.Lock()
	t.starts = append(t.starts, start)
	t.lats = append(t.lats, time.Since(start))
	t.mu.Unlock()
	return v, err
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHealth500 runs 500 HTTP health checks at a 1 s interval (500 ms
// timeout, default concurrency 32) against one loopback server on which
// 10 % of the targets hang, for SITREP_BENCH_SECONDS (default 20) seconds.
// It ignores b.N (run it with -benchtime=1x) and reports:
//
//	ontime-%    share of healthy checks' polls that started within the
//	            interval + 10 % jitter + the previous poll's latency + 50 ms
//	cpu-%       process CPU (user+sys, client and server) per wall second
//	goroutines  min and max over the run after a 3 s warm-up
func BenchmarkHealth500(b *testing.B) {
	secs := 20
	if s := os.Getenv("SITREP_BENCH_SECONDS"); s != "" {
		fmt.Sscan(s, &secs)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	url := testsrv.Serve(b, mux)

	const n, interval, timeout = 500, time.Second, 500 * time.Millisecond
	var healthy []*timed
	var pollers []sources.Poller
	for i := 0; i < n; i++ {
		path := "/ok"
		if i%10 == 0 {
			path = "/hang"
		}
		t := &timed{Poller: &health.HTTP{Name: fmt.Sprintf("c%03d", i), URL: url + path, Every: interval, Limit: timeout}}
		if path == "/ok" {
			healthy = append(healthy, t)
		}
		pollers = append(pollers, t)
	}
	conc := 0 // the default
	if c := os.Getenv("SITREP_BENCH_CONCURRENCY"); c != "" {
		fmt.Sscan(c, &conc)
	}
	s := sources.NewScheduler(pollers, sources.Options{Concurrency: conc})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		for range s.Updates() { // a consumer as fast as the dashboard
		}
	}()
	b.ResetTimer()
	go func() { _ = s.Run(ctx); close(done) }()

	time.Sleep(3 * time.Second) // warm-up: connections, first backoffs
	cpu0, wall0 := cpuTime(), time.Now()
	gmin, gmax := runtime.NumGoroutine(), 0
	for i := 0; i < secs; i++ {
		time.Sleep(time.Second)
		g := runtime.NumGoroutine()
		gmin, gmax = min(gmin, g), max(gmax, g)
	}
	cpu := float64(cpuTime()-cpu0) / float64(time.Since(wall0)) * 100
	from := wall0
	cancel()
	<-done
	b.StopTimer()

	var onTime, total int
	var lateBy []time.Duration
	for _, t := range healthy {
		t.mu.Lock()
		for i := 1; i < len(t.starts); i++ {
			if t.starts[i].Before(from) {
				continue
			}
			total++
			gap := t.starts[i].Sub(t.starts[i-1])
			if limit := interval*11/10 + t.lats[i-1] + 50*time.Millisecond; gap <= limit {
				onTime++
			} else {
				lateBy = append(lateBy, gap-limit)
			}
		}
		t.mu.Unlock()
	}
	var lats []time.Duration
	for _, t := range healthy {
		lats = append(lats, t.lats...)
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	if len(lats) > 0 {
		b.Logf("healthy poll latency p50 %s p99 %s max %s", lats[len(lats)/2], lats[len(lats)*99/100], lats[len(lats)-1])
	}
	sort.Slice(lateBy, func(i, j int) bool { return lateBy[i] > lateBy[j] })
	if len(lateBy) > 0 {
		b.Logf("%d late polls; worst late by %s", len(lateBy), lateBy[0])
	}
	rate := 100 * float64(onTime) / float64(max(total, 1))
	b.Logf("on-time %.2f%% of %d healthy polls; cpu %.1f%%; goroutines %d..%d; load %s", rate, total, cpu, gmin, gmax, loadavg())
	b.ReportMetric(rate, "ontime-%")
	b.ReportMetric(cpu, "cpu-%")
	b.ReportMetric(float64(gmin), "goroutines-min")
	b.ReportMetric(float64(gmax), "goroutines-max")
	b.ReportMetric(float64(total)/float64(secs), "healthy-polls/s")
	if rate < 99 {
		b.Errorf("on-time rate %.2f%% < 99%%", rate)
	}
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if len(b) > 14 {
		b = b[:14]
	}
	return string(b)
}
