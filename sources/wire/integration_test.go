package wire_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/alerts"
	"github.com/sitrep-dev/sitrep/sources/metric"
	"github.com/sitrep-dev/sitrep/sources/wire"
)

// The tests in this file start a real Prometheus and a real Alertmanager
// (Debian packages prometheus, prometheus-alertmanager; .ci/prom.sh
// installs them). Without the binaries they skip, unless
// SITREP_INTEGRATION=1, where a missing binary fails.

func binary(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	p, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s not installed (run .ci/prom.sh install): %v", name, err)
		if os.Getenv("SITREP_INTEGRATION") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// daemon runs a binary until the test ends; its output is shown if the
// test fails.
func daemon(t *testing.T, bin string, args ...string) {
	t.Helper()
	var out syncBuffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(bin), out.String())
		}
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// exporter is a client_golang test exporter: a 5xx counter that keeps
// rising, a gauge, and a latency histogram.
func exporter(t *testing.T) (addr string) {
	t.Helper()
	reg := prometheus.NewRegistry()
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total", Help: "requests"}, []string{"code"})
	depth := prometheus.NewGauge(prometheus.GaugeOpts{Name: "queue_depth", Help: "queue"})
	lat := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "req_seconds", Help: "latency", Buckets: []float64{0.1, 0.5, 1}})
	reg.MustRegister(reqs, depth, lat)
	depth.Set(42)
	reqs.WithLabelValues("200").Add(1000)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				reqs.WithLabelValues("500").Add(1) // 10/s
				reqs.WithLabelValues("503").Add(1) // 10/s
				lat.Observe(0.3)
			}
		}
	}()
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(func() { cancel(); srv.Close() })
	return strings.TrimPrefix(srv.URL, "http://")
}

func startPrometheus(t *testing.T, target string) string {
	bin := binary(t, "prometheus")
	dir := t.TempDir()
	cfg := fmt.Sprintf("global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - job_name: app\n    static_configs: [{targets: ['%s']}]\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	daemon(t, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	return "http://" + addr
}

func startAlertmanager(t *testing.T) string {
	bin := binary(t, "prometheus-alertmanager")
	dir := t.TempDir()
	cfg := "route: {receiver: nobody, group_wait: 1s}\nreceivers: [{name: nobody}]\n"
	if err := os.WriteFile(filepath.Join(dir, "am.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	// --cluster.listen-address= turns gossip off; it would bind 0.0.0.0:9094.
	daemon(t, bin, "--config.file="+filepath.Join(dir, "am.yml"), "--storage.path="+dir,
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=warn")
	return "http://" + addr
}

// eventually polls p until ok accepts a value, for at most d.
func eventually(t *testing.T, d time.Duration, p sources.Poller, ok func(v any) bool) any {
	t.Helper()
	deadline := time.Now().Add(d)
	var last sources.Snapshot
	for time.Now().Before(deadline) {
		last = sources.ProbeOnce(context.Background(), []sources.Poller{p})[0]
		if last.Err == nil && ok(last.Value) {
			return last.Value
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: no acceptable value within %s; last: value %+v, err %v", p.ID(), d, last.Value, last.Err)
	return nil
}

func TestRealPrometheusAndAlertmanager(t *testing.T) {
	target := exporter(t)
	promURL := startPrometheus(t, target)
	amURL := startAlertmanager(t)

	yaml := fmt.Sprintf(`prometheus: {url: %q, timeout: 2s, interval: 5s, range: 2m}
alertmanager: {url: %q}
metrics:
  - {name: queue, query: 'queue_depth', warn: 10, crit: 100}
  - {name: 5xx rate, query: 'sum(rate(http_requests_total{code=~"5.."}[5s]))', unit: /s, warn: 1, crit: 50}
  - {name: two series, query: 'http_requests_total'}
  - {name: scraped 5xx, scrape: 'http://%s/metrics', series: 'http_requests_total{code=~"5.."}', interval: 1s, timeout: 500ms}
  - {name: scraped p50, scrape: 'http://%s/metrics', series: req_seconds, quantile: 0.5, interval: 1s, timeout: 500ms}
`, promURL, amURL, target, target)
	cfg, err := config.Parse("it.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := wire.Pollers(cfg)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]sources.Poller{}
	for _, p := range ps {
		byID[p.ID()] = p
	}

	// A fresh Prometheus has no samples for a few seconds: wait for data.
	v := eventually(t, 30*time.Second, byID["metric/queue"], func(v any) bool { return v.(metric.Value).Current == 42 }).(metric.Value)
	if v.State != metric.Warn || len(v.History) == 0 || v.History[len(v.History)-1] != 42 {
		t.Errorf("queue = %+v, want 42 warn with a history ending in 42", v)
	}
	// The first rates are extrapolated from one or two samples; wait for
	// a full window.
	rate := eventually(t, 20*time.Second, byID["metric/5xx rate"], func(v any) bool { return v.(metric.Value).Current > 14 }).(metric.Value)
	if math.Abs(rate.Current-20) > 6 || rate.State != metric.Warn {
		t.Errorf("5xx rate = %v (%s), want about 20/s, warn", rate.Current, rate.State)
	}
	snap := sources.ProbeOnce(context.Background(), []sources.Poller{byID["metric/two series"]})[0]
	if snap.Err == nil || !strings.Contains(snap.Err.Error(), "returned 3 series") || !strings.Contains(snap.Err.Error(), "sum(") {
		t.Errorf("several series: err = %v, want a clear error suggesting sum()", snap.Err)
	}

	// Scraping the same exporter directly, through the scheduler.
	sched := sources.NewScheduler([]sources.Poller{byID["metric/scraped 5xx"], byID["metric/scraped p50"]}, sources.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = sched.Run(ctx) }()
	got := map[string]metric.Value{}
	deadline := time.After(10 * time.Second)
	for len(got) < 2 {
		select {
		case s := <-sched.Updates():
			if s.Err != nil {
				t.Fatalf("%s: %v", s.ID, s.Err)
			}
			if mv := s.Value.(metric.Value); mv.State != metric.Unknown {
				got[s.ID] = mv
			}
		case <-deadline:
			t.Fatalf("scrape metrics did not produce values: %+v", got)
		}
	}
	if r := got["metric/scraped 5xx"].Current; math.Abs(r-20) > 8 {
		t.Errorf("scraped 5xx rate = %v, want about 20/s", r)
	}
	if q := got["metric/scraped p50"].Current; q < 0.1 || q > 0.5 {
		t.Errorf("scraped p50 = %v, want within the (0.1, 0.5] bucket", q)
	}

	// Alertmanager: an alert the test posts shows up, sanitized.
	body := fmt.Sprintf(`[{"labels":{"alertname":"APIDown","severity":"critical","job":"api\u001b[5m"},"annotations":{"summary":"no 2xx for 5m"},"startsAt":%q}]`,
		time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))
	post := func() {
		resp, err := http.Post(amURL+"/api/v2/alerts", "application/json", strings.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
	}
	ap := byID["alerts"]
	// The API answers before it is ready to accept alerts; re-post until
	// the alert is listed.
	list := eventually(t, 20*time.Second, ap, func(v any) bool { post(); return len(v.([]alerts.Alert)) == 1 }).([]alerts.Alert)
	a := list[0]
	if a.Name != "APIDown" || a.Severity != "critical" || a.Summary != "no 2xx for 5m" || a.Labels["job"] != "api" || a.StartsAt.IsZero() {
		t.Errorf("alert = %+v", a)
	}

	// Resolving it (endsAt in the past) takes it off the active list.
	body = strings.Replace(body, `"startsAt"`, fmt.Sprintf(`"endsAt":%q,"startsAt"`, time.Now().UTC().Add(-time.Second).Format(time.RFC3339)), 1)
	post()
	eventually(t, 10*time.Second, ap, func(v any) bool { return len(v.([]alerts.Alert)) == 0 })
}
