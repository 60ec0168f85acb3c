package metric

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/sitrep-dev/sitrep/sources/selector"
)

// exposition5MB is a realistic /metrics payload of about 5 MB: counters
// and gauges with a few labels each, and histograms with 12 buckets.
func exposition5MB() []byte {
	var b bytes.Buffer
	for fam := 0; b.Len() < 5<<20; fam++ {
		fmt.Fprintf(&b, "# HELP app_requests_%d_total Requests served.\n# TYPE app_requests_%d_total counter\n", fam, fam)
		for i := 0; i < 40; i++ {
			fmt.Fprintf(&b, "app_requests_%d_total{code=\"%d\",method=\"GET\",path=\"/api/v1/items/%d\"} %d\n", fam, 200+i%5*100, i, fam*1000+i)
		}
		fmt.Fprintf(&b, "# HELP app_inflight_%d In-flight requests.\n# TYPE app_inflight_%d gauge\napp_inflight_%d{pool=\"a\"} %d\n", fam, fam, fam, fam%17)
		fmt.Fprintf(&b, "# HELP app_latency_%d_seconds Latency.\n# TYPE app_latency_%d_seconds histogram\n", fam, fam)
		for _, le := range []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"} {
			fmt.Fprintf(&b, "app_latency_%d_seconds_bucket{handler=\"items\",le=%q} %d\n", fam, le, fam+len(le))
		}
		fmt.Fprintf(&b, "app_latency_%d_seconds_sum{handler=\"items\"} 12.5\napp_latency_%d_seconds_count{handler=\"items\"} %d\n", fam, fam, fam+4)
	}
	return b.Bytes()
}

// BenchmarkParse5MB parses a whole 5 MB payload with expfmt and picks one
// series: the cost without the family filter.
func BenchmarkParse5MB(b *testing.B) {
	benchScrape(b, func(data []byte, _ string) []byte { return data })
}

// BenchmarkScrapePoll5MB is the CPU of one scrape poll of a 5 MB payload
// as the Scrape poller does it: keep the selected family's lines, parse
// them, pick the series.
func BenchmarkScrapePoll5MB(b *testing.B) {
	benchScrape(b, func(data []byte, name string) []byte { return familyLines(data, familyNames(name)) })
}

func benchScrape(b *testing.B, prepare func(data []byte, name string) []byte) {
	data := exposition5MB()
	sel, _ := selector.Parse(`app_requests_7_total{code=~"5.."}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fams, err := ParseText(bytes.NewReader(prepare(data, sel.Name)))
		if err != nil {
			b.Fatal(err)
		}
		if r, err := pick(fams, sel, nil); err != nil || r.series != 8 {
			b.Fatal(err, r.series)
		}
	}
}
