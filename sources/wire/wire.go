// Package wire builds the pollers a config describes: PromQL and scrape
// metrics, health checks and the Alertmanager alert list. Flag providers
// and GitHub are built by their own packages and appended by the caller.
package wire

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/alerts"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/metric"
	"github.com/sitrep-dev/sitrep/sources/selector"
)

// Pollers returns a poller per configured metric, health check and the
// alert list, in config order. cfg must have passed config.Parse. Every
// problem is reported, joined, each naming its config path.
func Pollers(cfg *config.Config) ([]sources.Poller, error) {
	var out []sources.Poller
	var errs []error
	maxBody := cfg.Sources.MaxBody
	shared := map[string]*metric.Shared{} // by scrape URL
	for i, m := range cfg.Metrics {
		th := metric.Thresholds{Warn: m.Warn, Crit: m.Crit, Below: m.Direction == "below"}
		if m.Query != "" {
			p := cfg.Prometheus
			out = append(out, &metric.Prom{
				Name: m.Name, URL: p.URL, Query: m.Query, Range: p.Range.D(), Unit: m.Unit,
				Thresholds: th, Every: m.Interval.D(), Limit: m.Timeout.D(), MaxBody: maxBody,
				Auth: Bearer(p.TokenEnv, p.TokenFile),
			})
			continue
		}
		sel, err := selector.Parse(m.Series)
		if err != nil {
			errs = append(errs, fmt.Errorf("metrics[%d].series: %w", i, err))
			continue
		}
		sh := shared[m.Scrape]
		if sh == nil {
			// Reuse a body for less than half the shortest interval of
			// the URL's metrics: fresh for each of them, fetched once.
			sh = &metric.Shared{Fresh: m.Interval.D() / 2}
			shared[m.Scrape] = sh
		}
		sh.Fresh = min(sh.Fresh, m.Interval.D()/2)
		out = append(out, &metric.Scrape{
			Name: m.Name, URL: m.Scrape, Series: sel, Quantile: m.Quantile, Unit: m.Unit,
			Thresholds: th, Every: m.Interval.D(), Limit: m.Timeout.D(), MaxBody: maxBody, Shared: sh,
		})
	}
	for i, h := range cfg.Health {
		if h.TCP != "" {
			out = append(out, &health.TCP{Name: h.Name, Addr: h.TCP, Every: h.Interval.D(), Limit: h.Timeout.D()})
			continue
		}
		var re *regexp.Regexp
		if h.Expect.BodyRegexp != "" {
			var err error
			if re, err = regexp.Compile(h.Expect.BodyRegexp); err != nil {
				errs = append(errs, fmt.Errorf("health[%d].expect.body_regexp: %w", i, err))
				continue
			}
		}
		out = append(out, &health.HTTP{
			Name: h.Name, URL: h.URL, Method: h.Method, Headers: h.Headers, HeadersEnv: h.HeadersEnv,
			Status: h.Expect.Status, BodyContains: h.Expect.BodyContains, BodyRegexp: re,
			MaxLatency: h.Expect.MaxLatency.D(), Every: h.Interval.D(), Limit: h.Timeout.D(), MaxBody: maxBody,
		})
	}
	if a := cfg.Alertmanager; a != nil {
		out = append(out, &alerts.Poller{
			URL: a.URL, Every: a.Interval.D(), Limit: a.Timeout.D(), MaxBody: maxBody,
			Auth: Bearer(a.TokenEnv, a.TokenFile),
		})
	}
	return out, errors.Join(errs...)
}

// Bearer returns a request hook that sets "Authorization: Bearer <token>"
// with the token read (config.Secret) at each request, so a rotated token
// is picked up; nil when neither env nor file is set. The token never
// appears in an error.
func Bearer(env, file string) func(*http.Request) error {
	if env == "" && file == "" {
		return nil
	}
	return func(r *http.Request) error {
		tok, err := config.Secret(env, file)
		if err != nil {
			return fmt.Errorf("token: %w", err)
		}
		r.Header.Set("Authorization", "Bearer "+tok)
		return nil
	}
}
