package metric

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/selector"
)

// exporter serves whatever exposition text the test sets.
type exporter struct {
	mu   sync.Mutex
	body string
	code int
}

func (e *exporter) set(body string) { e.mu.Lock(); e.body, e.code = body, 200; e.mu.Unlock() }

func (e *exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	body, code := e.body, e.code
	e.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

// clock is a manual time source for rates.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newScrape(t *testing.T, e *exporter, series string, q *float64) (*Scrape, *clock) {
	t.Helper()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	sel, err := selector.Parse(series)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := &Scrape{Name: "m", URL: srv.URL + "/metrics", Series: sel, Quantile: q,
		Thresholds: Thresholds{Warn: f(1), Crit: f(5)}, Every: time.Second, Limit: time.Second, now: c.now}
	return s, c
}

func poll(t *testing.T, s *Scrape) Value {
	t.Helper()
	v, err := s.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v.(Value)
}

const counterText = `# TYPE http_requests_total counter
http_requests_total{code="200"} %d
http_requests_total{code="500"} %d
http_requests_total{code="503"} %d
`

func TestScrapeCounterBecomesRateBetweenScrapes(t *testing.T) {
	e := &exporter{}
	s, c := newScrape(t, e, `http_requests_total{code=~"5.."}`, nil)

	e.set(strings.NewReplacer("%d", "0").Replace(counterText))
	first := poll(t, s)
	if first.State != Unknown || !math.IsNaN(first.Current) {
		t.Fatalf("first scrape = %+v, want Unknown/NaN (a rate needs two scrapes)", first)
	}

	e.set("# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} 1000\nhttp_requests_total{code=\"500\"} 10\nhttp_requests_total{code=\"503\"} 20\n")
	c.t = c.t.Add(10 * time.Second)
	second := poll(t, s)
	if second.Current != 3 || second.State != Warn {
		t.Fatalf("rate = %v (%s), want 3/s warn ((10+20)/10s)", second.Current, second.State)
	}
	if !strings.Contains(second.Note, "sum of 2 series") {
		t.Errorf("Note = %q, want it to say two series were summed", second.Note)
	}

	// The process restarted: the 500 count went down, so it counted
	// from zero (8 in 10 s); 503 went on normally (+42); a series seen
	// for the first time (504) has no rate yet. Like PromQL's
	// sum(rate(...)), resets are handled per series.
	e.set("# TYPE http_requests_total counter\nhttp_requests_total{code=\"500\"} 8\nhttp_requests_total{code=\"503\"} 62\nhttp_requests_total{code=\"504\"} 1000\n")
	c.t = c.t.Add(10 * time.Second)
	third := poll(t, s)
	if third.Current != 5 || third.State != Crit || !strings.Contains(third.Note, "reset") {
		t.Fatalf("after reset = %+v, want 5/s crit with a reset note", third)
	}
	if len(third.History) != 2 {
		t.Fatalf("History = %v, want the two rates", third.History)
	}
}

func TestScrapeGaugeIsShownAsIs(t *testing.T) {
	e := &exporter{}
	s, _ := newScrape(t, e, `pg_stat_activity_count{datname="app"}`, nil)
	e.set("# TYPE pg_stat_activity_count gauge\npg_stat_activity_count{datname=\"app\"} 0.5\npg_stat_activity_count{datname=\"other\"} 40\n")
	if v := poll(t, s); v.Current != 0.5 || v.State != OK || v.Note != "" {
		t.Fatalf("gauge = %+v", v)
	}
}

func TestScrapeHistogramQuantile(t *testing.T) {
	e := &exporter{}
	s, c := newScrape(t, e, "lat_seconds", f(0.5))
	hist := func(b1, b2, total int) string {
		return strings.NewReplacer("{b1}", strconv.Itoa(b1), "{b2}", strconv.Itoa(b2), "{n}", strconv.Itoa(total)).Replace(
			"# TYPE lat_seconds histogram\nlat_seconds_bucket{le=\"0.1\"} {b1}\nlat_seconds_bucket{le=\"1\"} {b2}\nlat_seconds_bucket{le=\"+Inf\"} {n}\nlat_seconds_sum 1\nlat_seconds_count {n}\n")
	}
	e.set(hist(100, 100, 100)) // everything fast so far
	if v := poll(t, s); v.Current > 0.1 {
		t.Fatalf("p50 since start = %v, want <= 0.1", v.Current)
	}
	e.set(hist(100, 200, 200)) // the last 100 were all in (0.1, 1]
	c.t = c.t.Add(time.Second)
	v := poll(t, s)
	if math.Abs(v.Current-0.55) > 1e-9 {
		t.Fatalf("p50 of recent observations = %v, want 0.55 (middle of (0.1,1])", v.Current)
	}
}

func TestScrapeSummaryAndDistributionParts(t *testing.T) {
	text := "# TYPE rpc_seconds summary\nrpc_seconds{quantile=\"0.5\"} 0.2\nrpc_seconds{quantile=\"0.99\"} 0.9\nrpc_seconds_sum 10\nrpc_seconds_count 40\n"
	e := &exporter{}
	e.set(text)
	s, _ := newScrape(t, e, "rpc_seconds", f(0.99))
	if v := poll(t, s); v.Current != 0.9 {
		t.Fatalf("summary p99 = %v", v.Current)
	}
	s2, _ := newScrape(t, e, "rpc_seconds", f(0.9))
	if _, err := s2.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "exports quantiles [0.5 0.99]") {
		t.Fatalf("missing quantile err = %v", err)
	}
	s3, c := newScrape(t, e, "rpc_seconds_count", nil)
	poll(t, s3)
	e.set(strings.Replace(text, "_count 40", "_count 60", 1))
	c.t = c.t.Add(10 * time.Second)
	if v := poll(t, s3); v.Current != 2 {
		t.Fatalf("rate of _count = %v, want 2/s", v.Current)
	}
}

func TestScrapeErrorsSayWhatIsWrong(t *testing.T) {
	tests := []struct {
		name, body, series, want string
		q                        *float64
	}{
		{"absent metric", "# TYPE a gauge\na 1\n", "b", "no metric named b", nil},
		{"no series matches", "# TYPE a gauge\na{x=\"1\"} 1\n", `a{x="2"}`, `none matches a{x="2"}`, nil},
		{"histogram without quantile", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n", "h", "set quantile", nil},
		{"malformed text", "# TYPE a gauge\na{ 1\n", "a", "malformed exposition text", nil},
		{"two summary series", "# TYPE s summary\ns{a=\"1\",quantile=\"0.5\"} 1\ns{a=\"2\",quantile=\"0.5\"} 1\n", "s", "cannot be added", f(0.5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &exporter{}
			e.set(tt.body)
			s, _ := newScrape(t, e, tt.series, tt.q)
			_, err := s.Poll(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "scrape http://127.0.0.1") {
				t.Fatalf("err = %v, want it to name the URL and say %q", err, tt.want)
			}
		})
	}
}

func TestScrapeBodyOverCapIsAnError(t *testing.T) {
	e := &exporter{}
	e.set("# TYPE a gauge\na 1\n" + strings.Repeat("# padding\n", 1000))
	s, _ := newScrape(t, e, "a", nil)
	s.MaxBody = 1000
	_, err := s.Poll(context.Background())
	if !errors.Is(err, sources.ErrBodyTooLarge) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
}
