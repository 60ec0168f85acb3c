package metric

import (
	"bytes"
	"math"
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

// FuzzFamilyLines: filtering never changes what a selector picks from a
// payload that parses.
func FuzzFamilyLines(f *testing.F) {
	f.Add([]byte("# TYPE a counter\na{x=\"1\"} 3\n# TYPE b gauge\nb 1\n"), "a")
	f.Add([]byte("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\nother 1"), "h_count")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		sel, err := selector.Parse(name)
		if err != nil {
			return
		}
		full, err := ParseText(bytes.NewReader(data))
		if err != nil {
			return
		}
		part, err := ParseText(bytes.NewReader(familyLines(data, familyNames(sel.Name))))
		if err != nil {
			t.Fatalf("the filtered payload does not parse: %v\n%q", err, familyLines(data, familyNames(sel.Name)))
		}
		q := 0.5
		r1, err1 := pick(full, sel, &q)
		r2, err2 := pick(part, sel, &q)
		same := r1.value == r2.value || (math.IsNaN(r1.value) && math.IsNaN(r2.value))
		if (err1 == nil) != (err2 == nil) || !same || r1.series != r2.series {
			t.Fatalf("pick differs: full %+v %v, filtered %+v %v", r1, err1, r2, err2)
		}
	})
}
