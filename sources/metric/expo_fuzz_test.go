package metric

import (
	"bytes"
	"testing"

	"github.com/sitrep-dev/sitrep/sources/selector"
)

// FuzzParseText feeds arbitrary exposition text through the parser and
// the sample picker with several selectors: neither may panic, and a
// histogram quantile is never outside its buckets' bounds.
func FuzzParseText(f *testing.F) {
	f.Add([]byte("# TYPE a counter\na{x=\"1\"} 3\n"))
	f.Add([]byte("# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n"))
	f.Add([]byte("# TYPE s summary\ns{quantile=\"0.9\"} 1\ns_sum 1\ns_count 1\n"))
	f.Add([]byte("a NaN\nb +Inf 123\n"))
	sels := []string{"a", `a{x="1"}`, `a{x=~".+"}`, "h", "h_count", "h_bucket", "s", "s_sum", "b"}
	q := 0.9
	f.Fuzz(func(t *testing.T, data []byte) {
		fams, err := ParseText(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, s := range sels {
			sel, _ := selector.Parse(s)
			r, err := pick(fams, sel, &q)
			if err != nil || r.buckets == nil {
				continue
			}
			_ = quantileOf(q, r.buckets)
		}
	})
}
