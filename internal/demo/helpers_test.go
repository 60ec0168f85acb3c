package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sitrep-dev/sitrep/internal/fsutil"
)

// startWorld starts a world for one test and closes it when the test ends.
func startWorld(t *testing.T, speed float64) *World {
	t.Helper()
	w, err := Start(context.Background(), Options{Speed: speed, Dir: t.TempDir(), Seed: 7})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return w
}

var testClient = &http.Client{Timeout: 3 * time.Second}

func httpDo(t *testing.T, method, url, body string) (int, []byte, time.Duration) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp.StatusCode, data, time.Since(start)
}

// scrape reads /metrics with the same parser sitrep's scrape source uses.
func scrape(t *testing.T, w *World) map[string]*dto.MetricFamily {
	t.Helper()
	code, body, _ := httpDo(t, "GET", w.APIURL()+"/metrics", "")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

func gauge(t *testing.T, fams map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok || len(f.GetMetric()) != 1 {
		t.Fatalf("/metrics has no single series %s", name)
	}
	return f.GetMetric()[0].GetGauge().GetValue()
}

// requestsWithCode sums demo_http_requests_total over codes starting with prefix.
func requestsWithCode(fams map[string]*dto.MetricFamily, prefix string) float64 {
	var sum float64
	for _, m := range fams["demo_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "code" && strings.HasPrefix(l.GetValue(), prefix) {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

type bucket struct{ upper, count float64 }

func buckets(fams map[string]*dto.MetricFamily) []bucket {
	h := fams["demo_http_request_duration_seconds"].GetMetric()[0].GetHistogram()
	var out []bucket
	for _, b := range h.GetBucket() {
		out = append(out, bucket{b.GetUpperBound(), float64(b.GetCumulativeCount())})
	}
	return append(out, bucket{math.Inf(1), float64(h.GetSampleCount())})
}

// p99Between is histogram_quantile(0.99) over the requests observed
// between two scrapes, as a dashboard computes it.
func p99Between(prev, cur map[string]*dto.MetricFamily) float64 {
	a, b := buckets(prev), buckets(cur)
	d := make([]bucket, len(b))
	for i := range b {
		d[i] = bucket{b[i].upper, b[i].count - a[i].count}
	}
	total := d[len(d)-1].count
	if total == 0 {
		return math.NaN()
	}
	rank := 0.99 * total
	i := sort.Search(len(d), func(i int) bool { return d[i].count >= rank })
	if math.IsInf(d[i].upper, 1) {
		return d[len(d)-2].upper
	}
	lower, below := 0.0, 0.0
	if i > 0 {
		lower, below = d[i-1].upper, d[i-1].count
	}
	return lower + (d[i].upper-lower)*(rank-below)/(d[i].count-below)
}

// p99Window measures p99 latency over the next span.
func p99Window(t *testing.T, w *World, span time.Duration) float64 {
	t.Helper()
	a := scrape(t, w)
	time.Sleep(span)
	return p99Between(a, scrape(t, w))
}

// setDefaultVariant edits the flags file the way the file provider's kill
// switch does: one field changed, written atomically.
func setDefaultVariant(t *testing.T, path, key, variant string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["flags"].(map[string]any)[key].(map[string]any)["defaultVariant"] = variant
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := fsutil.WriteFileAtomic(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

type ofrepAnswer struct {
	Key, Variant, Reason, ErrorCode string
	Value                           any
}

func evalFlag(t *testing.T, w *World, key, body string) (int, ofrepAnswer) {
	t.Helper()
	code, data, _ := httpDo(t, "POST", w.OFREPURL()+"/ofrep/v1/evaluate/flags/"+key, body)
	var a ofrepAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatalf("OFREP %s: status %d, body %q is not JSON: %v", key, code, data, err)
	}
	return code, a
}

func firingAlerts(t *testing.T, w *World, query string) []gettableAlert {
	t.Helper()
	code, data, _ := httpDo(t, "GET", w.AlertmanagerURL()+"/api/v2/alerts"+query, "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/v2/alerts%s: status %d: %s", query, code, data)
	}
	var out []gettableAlert
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("alerts body %q: %v", data, err)
	}
	return out
}

func alertNames(as []gettableAlert) []string {
	var names []string
	for _, a := range as {
		names = append(names, string(a.Labels["alertname"]))
	}
	sort.Strings(names)
	return names
}

// eventually polls cond every 25 ms until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: still not %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
