package metric

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/selector"
)

// Scrape reads one series straight from a /metrics endpoint, no
// Prometheus needed. Gauges are shown as they are; counters (and the
// _count / _sum of a histogram or summary) as a per-second rate between
// two scrapes; a histogram or summary with Quantile set as that quantile
// (for a histogram, over the observations since the previous scrape when
// there were any, else since the process started). When several series
// match the selector their values are added (histogram buckets merged) and
// Value.Note says how many were summed.
type Scrape struct {
	Name       string
	URL        string
	Series     selector.Selector
	Quantile   *float64
	Unit       string
	Thresholds Thresholds
	Every      time.Duration
	Limit      time.Duration // per-poll timeout
	MaxBody    int64
	Client     *http.Client // nil: sources.HTTPClient(Limit)
	// Shared, when set, is one per URL: scrape metrics of the same
	// endpoint then share each fetch instead of each fetching it.
	Shared *Shared

	mu       sync.Mutex
	history  *ring
	prev     reading
	prevAt   time.Time
	havePrev bool
	now      func() time.Time
}

func (s *Scrape) ID() string              { return "metric/" + s.Name }
func (s *Scrape) Kind() sources.Kind      { return sources.KindMetric }
func (s *Scrape) Interval() time.Duration { return s.Every }
func (s *Scrape) Timeout() time.Duration  { return s.Limit }

// Poll scrapes once and returns a Value.
func (s *Scrape) Poll(ctx context.Context) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Client == nil {
		s.Client = sources.HTTPClient(s.Limit)
	}
	if s.history == nil {
		s.history = newRing(HistorySize)
	}
	if s.now == nil {
		s.now = time.Now
	}
	body, at, err := s.body(ctx)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", sources.Redact(s.URL), err)
	}
	// Parse only the lines of the series' family: a large endpoint (5 MB is
	// not unusual) would otherwise cost a full parse on every poll.
	fams, err := ParseText(bytes.NewReader(familyLines(body, familyNames(s.Series.Name))))
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", sources.Redact(s.URL), err)
	}
	r, err := pick(fams, s.Series, s.Quantile)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", sources.Redact(s.URL), err)
	}
	v, note := s.evaluate(r, at)
	s.prev, s.prevAt, s.havePrev = r, at, true
	if !math.IsNaN(v) {
		s.history.push(v)
	}
	if r.series > 1 {
		note = join(note, fmt.Sprintf("sum of %d series", r.series))
	}
	return Value{
		Name:    s.Name,
		Unit:    s.Unit,
		Current: v,
		History: s.history.values(),
		State:   s.Thresholds.State(v),
		At:      at,
		Note:    note,
	}, nil
}

// body returns the endpoint's text and when it was read: fetched now, or
// shared with another metric of the same URL that fetched it moments ago.
func (s *Scrape) body(ctx context.Context) ([]byte, time.Time, error) {
	if s.Shared == nil {
		b, err := s.fetch(ctx)
		return b, s.now(), err
	}
	return s.Shared.get(ctx, func(ctx context.Context) ([]byte, time.Time, error) {
		b, err := s.fetch(ctx)
		return b, s.now(), err
	})
}

func (s *Scrape) fetch(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return nil, err
	}
	// Ask for the text format: it is what we parse, and every exporter
	// speaks it.
	req.Header.Set("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1")
	resp, err := sources.Do(ctx, s.Client, req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := sources.ReadBody(resp, 512)
		return nil, sources.StatusError(resp, body)
	}
	// Read first, parse second: an oversized body is refused at network
	// speed rather than after parsing 10 MiB of it, and a slow parse is
	// not mistaken for a slow server.
	body, err := sources.ReadBody(resp, s.MaxBody)
	if err != nil {
		return nil, sources.Describe(ctx, err)
	}
	return body, nil
}

// evaluate turns a reading into the number shown, using the previous
// scrape for rates and histogram deltas.
func (s *Scrape) evaluate(r reading, at time.Time) (float64, string) {
	comparable := s.havePrev && s.prev.typ == r.typ
	switch r.typ {
	case dto.MetricType_COUNTER:
		if !comparable {
			return math.NaN(), "rate after the next scrape"
		}
		dt := at.Sub(s.prevAt).Seconds()
		if dt <= 0 {
			return math.NaN(), "rate after the next scrape"
		}
		return counterRate(r.perSeries, s.prev.perSeries, dt)
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		if comparable {
			if d, ok := deltaBuckets(r.buckets, s.prev.buckets); ok && d[len(d)-1].count > 0 {
				return quantileOf(*s.Quantile, d), ""
			}
		}
		return quantileOf(*s.Quantile, r.buckets), "since process start"
	}
	return r.value, ""
}

// counterRate is the summed per-second increase of the series present in
// both scrapes. A series whose value went down was reset (its process
// restarted) and counted up from zero; a series seen for the first time has
// no rate yet, as in PromQL.
func counterRate(cur, prev map[string]float64, dt float64) (float64, string) {
	var inc float64
	note := ""
	for k, v := range cur {
		p, ok := prev[k]
		switch {
		case !ok:
		case v < p:
			inc += v
			note = "counter reset"
		default:
			inc += v - p
		}
	}
	return inc / dt, note
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
