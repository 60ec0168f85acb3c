package metric

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/sitrep-dev/sitrep/internal/sanitize"
	"github.com/sitrep-dev/sitrep/sources"
)

// Prom is a metric computed by a PromQL query. Each poll runs the instant
// query for the current value; the sparkline comes from a range query over
// Range, re-run when the history is older than one step, so the history
// survives a sitrep restart and a slow interval still draws a full line.
// The query must return exactly one series (or a scalar): wrap it in sum()
// or add labels when it returns several, and add `or vector(0)` when "no
// series" should read as zero.
type Prom struct {
	Name       string
	URL        string
	Query      string
	Range      time.Duration // sparkline window; 0: 15m
	Unit       string
	Thresholds Thresholds
	Every      time.Duration
	Limit      time.Duration
	MaxBody    int64
	// Auth prepares each request (a bearer token read at use time); nil: none.
	Auth   func(*http.Request) error
	Client *http.Client // nil: sources.HTTPClient(Limit)

	mu        sync.Mutex
	api       v1.API
	history   *ring
	rangeAt   time.Time // when the history was last loaded by a range query
	rangeStep time.Duration
	now       func() time.Time
}

func (p *Prom) ID() string              { return "metric/" + p.Name }
func (p *Prom) Kind() sources.Kind      { return sources.KindMetric }
func (p *Prom) Interval() time.Duration { return p.Every }
func (p *Prom) Timeout() time.Duration  { return p.Limit }

func (p *Prom) init() error {
	if p.api != nil {
		return nil
	}
	if p.Client == nil {
		p.Client = sources.HTTPClient(p.Limit)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.Range <= 0 {
		p.Range = 15 * time.Minute
	}
	p.rangeStep = p.Range / HistorySize
	if p.rangeStep < time.Second {
		p.rangeStep = time.Second
	}
	p.history = newRing(HistorySize)
	c, err := api.NewClient(api.Config{Address: p.URL, Client: sources.Capped(p.Client, p.MaxBody, p.Auth)})
	if err != nil {
		return fmt.Errorf("prometheus URL %s: %w", sources.Redact(p.URL), err)
	}
	p.api = v1.NewAPI(c)
	return nil
}

// Poll runs the queries once and returns a Value.
func (p *Prom) Poll(ctx context.Context) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.init(); err != nil {
		return nil, err
	}
	now := p.now()
	var notes []string
	if now.Sub(p.rangeAt) >= p.rangeStep {
		hist, warns, err := p.queryRange(ctx, now)
		if err != nil {
			return nil, p.wrap(ctx, "range query", err)
		}
		p.history.reset(hist)
		p.rangeAt = now
		notes = append(notes, warns...)
	}
	v, warns, err := p.queryInstant(ctx, now)
	if err != nil {
		return nil, p.wrap(ctx, "query", err)
	}
	notes = append(notes, warns...)
	if p.rangeAt != now {
		p.history.push(v)
	}
	return Value{
		Name:    p.Name,
		Unit:    p.Unit,
		Current: v,
		History: p.history.values(),
		State:   p.Thresholds.State(v),
		At:      now,
		Note:    clip(sanitize.Line(strings.Join(notes, "; ")), 200),
	}, nil
}

func (p *Prom) wrap(ctx context.Context, what string, err error) error {
	if errors.Is(err, sources.ErrBodyTooLarge) {
		return fmt.Errorf("prometheus %s %s: %w", sources.Redact(p.URL), what, err)
	}
	var apiErr *v1.Error
	if errors.As(err, &apiErr) {
		msg := clip(sanitize.Line(apiErr.Msg), 200)
		switch {
		case apiErr.Type == v1.ErrBadResponse && strings.HasPrefix(msg, "bad response code"):
			// Not an API answer at all: show what the server said.
			msg += sources.Snippet([]byte(apiErr.Detail))
		case apiErr.Type == v1.ErrBadResponse:
			msg = "malformed response (is the URL a Prometheus server?): " + msg
		case apiErr.Type == v1.ErrServer && apiErr.Detail != "":
			msg += sources.Snippet([]byte(apiErr.Detail))
		}
		return fmt.Errorf("prometheus %s %s: %s", sources.Redact(p.URL), what, msg)
	}
	return fmt.Errorf("prometheus %s %s: %w", sources.Redact(p.URL), what, sources.Describe(ctx, err))
}

func (p *Prom) queryInstant(ctx context.Context, at time.Time) (float64, []string, error) {
	val, warns, _, err := p.api.Query(ctx, p.Query, at, v1.WithTimeout(p.Limit))
	if err != nil {
		return 0, nil, err
	}
	switch v := val.(type) {
	case *model.Scalar:
		return float64(v.Value), warns, nil
	case model.Vector:
		if err := oneSeries(len(v)); err != nil {
			return 0, nil, err
		}
		return float64(v[0].Value), warns, nil
	}
	return 0, nil, fmt.Errorf("query returned a %s; it must return one number (an instant vector of one series)", val.Type())
}

func (p *Prom) queryRange(ctx context.Context, end time.Time) ([]float64, []string, error) {
	r := v1.Range{Start: end.Add(-p.Range), End: end, Step: p.rangeStep}
	val, warns, _, err := p.api.QueryRange(ctx, p.Query, r, v1.WithTimeout(p.Limit))
	if err != nil {
		return nil, nil, err
	}
	m, ok := val.(model.Matrix)
	if !ok {
		return nil, nil, fmt.Errorf("range query returned a %s, want a matrix", val.Type())
	}
	if len(m) == 0 {
		return nil, warns, nil // nothing yet; the instant query says why
	}
	if err := oneSeries(len(m)); err != nil {
		return nil, nil, err
	}
	out := make([]float64, 0, len(m[0].Values))
	for _, sp := range m[0].Values {
		if f := float64(sp.Value); !math.IsNaN(f) {
			out = append(out, f)
		}
	}
	return out, warns, nil
}

func oneSeries(n int) error {
	switch {
	case n == 0:
		return errors.New("query returned no series (nothing matches yet? append `or vector(0)` if none means zero)")
	case n > 1:
		return fmt.Errorf("query returned %d series; it must return one: wrap it in sum(...) or select one with labels", n)
	}
	return nil
}
