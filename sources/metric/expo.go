package metric

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sitrep-dev/sitrep/internal/sanitize"
	"github.com/sitrep-dev/sitrep/sources/selector"
)

// ParseText parses Prometheus text exposition format (version 0.0.4) into
// metric families keyed by name. The caller bounds r (see
// sources.LimitBody); a body over the cap fails here with that error.
func ParseText(r io.Reader) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	rr := &readErr{r: r}
	fams, err := p.TextToMetricFamilies(rr)
	if err != nil {
		// The parser flattens a read error into a parse error; the read
		// error (cap exceeded, deadline) is the real story.
		if rr.err != nil {
			return nil, rr.err
		}
		return nil, fmt.Errorf("malformed exposition text: %s", clip(sanitize.Line(err.Error()), 160))
	}
	return fams, nil
}

// readErr remembers the first error other than EOF its reader returned.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// reading is what one selector picked from one scrape.
type reading struct {
	typ     dto.MetricType
	value   float64  // gauge/untyped/counter: sum over series; summary: the quantile
	buckets []bucket // histogram: merged over series, by upper bound, cumulative
	count   float64  // histogram: total observations
	series  int      // how many series matched
	// counter: each matched series' value by its label set, so resets
	// and new series are handled per series like PromQL's sum(rate()).
	perSeries map[string]float64
}

type bucket struct{ le, count float64 }

// pick finds the samples sel selects in fams. Several matching series are
// summed (for histograms their buckets are merged), like PromQL's sum();
// a summary quantile cannot be summed, so there several matches are an error.
func pick(fams map[string]*dto.MetricFamily, sel selector.Selector, quantile *float64) (reading, error) {
	name, part := sel.Name, ""
	f := fams[name]
	if f == nil {
		// name_count / name_sum of a histogram or summary.
		for _, suffix := range []string{"_count", "_sum", "_bucket"} {
			if base, ok := strings.CutSuffix(name, suffix); ok {
				if bf := fams[base]; bf != nil && isDistribution(bf.GetType()) {
					f, part = bf, suffix
				}
			}
		}
	}
	if f == nil {
		return reading{}, fmt.Errorf("no metric named %s in the scrape (check series: against the endpoint's output)", name)
	}
	if part == "_bucket" {
		return reading{}, fmt.Errorf("%s: pick a quantile with quantile: on %s rather than selecting _bucket", name, f.GetName())
	}
	var ms []*dto.Metric
	for _, m := range f.GetMetric() {
		if sel.MatchesLabels(labelMap(m)) {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return reading{}, fmt.Errorf("%s has %d series but none matches %s", f.GetName(), len(f.GetMetric()), sel)
	}
	r := reading{typ: f.GetType(), series: len(ms)}
	if part != "" {
		// _count and _sum of a distribution only ever go up: a counter.
		r.typ = dto.MetricType_COUNTER
		r.perSeries = map[string]float64{}
		for _, m := range ms {
			v := distPart(m, part)
			r.value += v
			r.perSeries[seriesKey(m)] = v
		}
		return r, nil
	}
	switch r.typ {
	case dto.MetricType_COUNTER:
		r.perSeries = map[string]float64{}
		for _, m := range ms {
			v := m.GetCounter().GetValue()
			r.value += v
			r.perSeries[seriesKey(m)] = v
		}
	case dto.MetricType_GAUGE:
		for _, m := range ms {
			r.value += m.GetGauge().GetValue()
		}
	case dto.MetricType_UNTYPED:
		for _, m := range ms {
			r.value += m.GetUntyped().GetValue()
		}
	case dto.MetricType_SUMMARY:
		if quantile == nil {
			return r, fmt.Errorf("%s is a summary: set quantile: (one it exports) or select %s_count / %s_sum", name, name, name)
		}
		if len(ms) > 1 {
			return r, fmt.Errorf("%s: %d summary series match and quantiles cannot be added; narrow series: with labels", name, len(ms))
		}
		var have []string
		for _, q := range ms[0].GetSummary().GetQuantile() {
			if math.Abs(q.GetQuantile()-*quantile) < 1e-9 {
				r.value = q.GetValue()
				return r, nil
			}
			have = append(have, fmt.Sprint(q.GetQuantile()))
		}
		return r, fmt.Errorf("%s exports quantiles [%s], not %g", name, strings.Join(have, " "), *quantile)
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		if quantile == nil {
			return r, fmt.Errorf("%s is a histogram: set quantile: (0..1) or select %s_count / %s_sum", name, name, name)
		}
		r.buckets, r.count = mergeBuckets(ms)
	default:
		return r, fmt.Errorf("%s has unsupported type %s", name, r.typ)
	}
	return r, nil
}

func isDistribution(t dto.MetricType) bool {
	return t == dto.MetricType_SUMMARY || t == dto.MetricType_HISTOGRAM || t == dto.MetricType_GAUGE_HISTOGRAM
}

func distPart(m *dto.Metric, part string) float64 {
	if s := m.GetSummary(); s != nil {
		if part == "_sum" {
			return s.GetSampleSum()
		}
		return float64(s.GetSampleCount())
	}
	h := m.GetHistogram()
	if part == "_sum" {
		return h.GetSampleSum()
	}
	return float64(h.GetSampleCount()) + h.GetSampleCountFloat()
}

// seriesKey identifies a series within its family by its labels. The
// text parser keeps labels in the order the exporter wrote them, which is
// stable for one exporter, but sort anyway to be safe.
func seriesKey(m *dto.Metric) string {
	pairs := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		pairs = append(pairs, l.GetName()+"\x00"+l.GetValue())
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "\x01")
}

func labelMap(m *dto.Metric) map[string]string {
	out := make(map[string]string, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func mergeBuckets(ms []*dto.Metric) ([]bucket, float64) {
	byLE := map[float64]float64{}
	var total float64
	for _, m := range ms {
		h := m.GetHistogram()
		total += float64(h.GetSampleCount()) + h.GetSampleCountFloat()
		for _, b := range h.GetBucket() {
			byLE[b.GetUpperBound()] += float64(b.GetCumulativeCount()) + b.GetCumulativeCountFloat()
		}
	}
	out := make([]bucket, 0, len(byLE)+1)
	for le, c := range byLE {
		out = append(out, bucket{le, c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].le < out[j].le })
	if len(out) == 0 || !math.IsInf(out[len(out)-1].le, 1) {
		// The +Inf bucket is implicit in the text format: it is the count.
		out = append(out, bucket{math.Inf(1), total})
	}
	return out, total
}

// quantileOf estimates the q-quantile from cumulative buckets the way
// PromQL's histogram_quantile does: linear interpolation inside the bucket
// the rank falls in; a rank in the +Inf bucket yields the highest finite
// bound. No observations yield NaN.
func quantileOf(q float64, bs []bucket) float64 {
	if len(bs) == 0 {
		return math.NaN()
	}
	total := bs[len(bs)-1].count
	if total <= 0 {
		return math.NaN()
	}
	rank := q * total
	for i, b := range bs {
		if b.count < rank {
			continue
		}
		if math.IsInf(b.le, 1) {
			if i == 0 {
				return math.NaN()
			}
			return bs[i-1].le
		}
		lower, below := 0.0, 0.0
		if i > 0 {
			lower, below = bs[i-1].le, bs[i-1].count
		} else if b.le <= 0 {
			return b.le
		}
		in := b.count - below
		if in <= 0 {
			return b.le
		}
		return lower + (b.le-lower)*(rank-below)/in
	}
	return bs[len(bs)-1].le
}

// deltaBuckets is cur minus prev per bound: the observations made between
// two scrapes. ok is false after a reset (any count went down) or when the
// bounds differ.
func deltaBuckets(cur, prev []bucket) (out []bucket, ok bool) {
	if len(cur) != len(prev) {
		return nil, false
	}
	out = make([]bucket, len(cur))
	for i := range cur {
		if cur[i].le != prev[i].le || cur[i].count < prev[i].count {
			return nil, false
		}
		out[i] = bucket{cur[i].le, cur[i].count - prev[i].count}
	}
	return out, true
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
