package config

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/sources/selector"
)

// Prometheus is the server PromQL metrics are queried from.
type Prometheus struct {
	URL       string   `yaml:"url"`
	Timeout   Duration `yaml:"timeout"`
	Interval  Duration `yaml:"interval"`
	Range     Duration `yaml:"range"` // sparkline window (range query), default 15m
	TokenEnv  string   `yaml:"token_env"`
	TokenFile string   `yaml:"token_file"`
}

// Alertmanager is where firing alerts are read from (API v2).
type Alertmanager struct {
	URL       string   `yaml:"url"`
	Timeout   Duration `yaml:"timeout"`
	Interval  Duration `yaml:"interval"`
	TokenEnv  string   `yaml:"token_env"`
	TokenFile string   `yaml:"token_file"`
}

// Metric is one number on the dashboard: a PromQL query, or a series
// scraped straight from a /metrics endpoint.
type Metric struct {
	Name   string `yaml:"name"`
	Query  string `yaml:"query"`  // PromQL (needs prometheus:)
	Scrape string `yaml:"scrape"` // URL of a /metrics endpoint
	// Series selects the sample when scraping: name{label="v",other=~"re"}.
	Series string `yaml:"series"`
	// Quantile turns a scraped histogram or summary into one quantile (0..1).
	Quantile  *float64 `yaml:"quantile"`
	Unit      string   `yaml:"unit"`
	Warn      *float64 `yaml:"warn"`
	Crit      *float64 `yaml:"crit"`
	Direction string   `yaml:"direction"` // above (default) | below
	Interval  Duration `yaml:"interval"`
	Timeout   Duration `yaml:"timeout"`
}

// Health is one HTTP or TCP check.
type Health struct {
	Name    string            `yaml:"name"`
	URL     string            `yaml:"url"`
	TCP     string            `yaml:"tcp"` // host:port
	Method  string            `yaml:"method"`
	Headers map[string]string `yaml:"headers"`
	// HeadersEnv sets headers from environment variables (for secrets):
	// {Authorization: HEALTH_TOKEN}.
	HeadersEnv map[string]string `yaml:"headers_env"`
	Expect     Expect            `yaml:"expect"`
	Interval   Duration          `yaml:"interval"`
	Timeout    Duration          `yaml:"timeout"`
}

// Expect is what makes an HTTP check "up".
type Expect struct {
	Status       []int    `yaml:"status"` // default: any 2xx
	BodyContains string   `yaml:"body_contains"`
	BodyRegexp   string   `yaml:"body_regexp"`
	MaxLatency   Duration `yaml:"max_latency"` // slower is "degraded"
}

// ValidSelector reports whether s is a metric name with optional label
// matchers, as accepted by `series:` (the scrape poller's own parser).
func ValidSelector(s string) bool { _, err := selector.Parse(s); return err == nil }

func (c *Config) validateSources(v *validator) {
	if p := c.Prometheus; p != nil {
		if v.required("prometheus.url", p.URL) {
			v.httpURL("prometheus.url", p.URL)
		}
		v.timing("prometheus", p.Interval, p.Timeout)
		v.positive("prometheus.range", p.Range)
		v.secret("prometheus", "token_env", p.TokenEnv, "token_file", p.TokenFile)
	}
	if a := c.Alertmanager; a != nil {
		if v.required("alertmanager.url", a.URL) {
			v.httpURL("alertmanager.url", a.URL)
		}
		v.timing("alertmanager", a.Interval, a.Timeout)
		v.secret("alertmanager", "token_env", a.TokenEnv, "token_file", a.TokenFile)
	}
	metricNames := names{}
	for i, m := range c.Metrics {
		p := fmt.Sprintf("metrics[%d]", i)
		if v.required(p+".name", m.Name) {
			metricNames.check(v, p+".name", m.Name, "duplicate metric name %q")
		}
		switch {
		case m.Query == "" && m.Scrape == "":
			v.errorf(p, "set query (PromQL) or scrape (a /metrics URL)")
		case m.Query != "" && m.Scrape != "":
			v.errorf(p+".scrape", "set query or scrape, not both")
		case m.Query != "":
			if c.Prometheus == nil {
				v.errorf(p+".query", "a PromQL query needs a prometheus: {url: ...} section")
			}
			if m.Series != "" {
				v.errorf(p+".series", "series only applies to scrape metrics")
			}
			if m.Quantile != nil {
				v.errorf(p+".quantile", "quantile only applies to scrape metrics; in PromQL use histogram_quantile()")
			}
		default:
			v.httpURL(p+".scrape", m.Scrape)
			if v.required(p+".series", m.Series) {
				if _, err := selector.Parse(m.Series); err != nil {
					v.errorf(p+".series", "%v; write name or name{label=\"value\",other=~\"regexp\"}", err)
				}
			}
		}
		if m.Quantile != nil && (*m.Quantile < 0 || *m.Quantile > 1) {
			v.errorf(p+".quantile", "must be between 0 and 1")
		}
		v.oneOf(p+".direction", m.Direction, "above", "below")
		if m.Warn != nil && m.Crit != nil {
			below := m.Direction == "below"
			if (!below && *m.Warn > *m.Crit) || (below && *m.Warn < *m.Crit) {
				v.errorf(p+".warn", "warn %g is past crit %g for direction %q", *m.Warn, *m.Crit, orString(m.Direction, "above"))
			}
		}
		v.timing(p, m.Interval, m.Timeout)
	}
	checkNames := names{}
	for i, h := range c.Health {
		p := fmt.Sprintf("health[%d]", i)
		if v.required(p+".name", h.Name) {
			checkNames.check(v, p+".name", h.Name, "duplicate check name %q")
		}
		switch {
		case h.URL == "" && h.TCP == "":
			v.errorf(p, "set url (HTTP check) or tcp (host:port)")
		case h.URL != "" && h.TCP != "":
			v.errorf(p+".tcp", "set url or tcp, not both")
		case h.URL != "":
			v.httpURL(p+".url", h.URL)
			v.oneOf(p+".method", h.Method, "GET", "HEAD", "POST", "PUT", "OPTIONS")
			for j, s := range h.Expect.Status {
				if s < 100 || s > 599 {
					v.errorf(fmt.Sprintf("%s.expect.status[%d]", p, j), "status %d is not an HTTP status code", s)
				}
			}
			if h.Expect.BodyRegexp != "" {
				if _, err := regexp.Compile(h.Expect.BodyRegexp); err != nil {
					v.errorf(p+".expect.body_regexp", "%s", selector.RegexpError(err))
				}
			}
			v.headers(p, h)
		default:
			if _, port, err := net.SplitHostPort(h.TCP); err != nil || port == "" {
				v.errorf(p+".tcp", "%q is not host:port (e.g. db.internal:5432)", h.TCP)
			}
			for _, k := range []string{"method", "headers", "headers_env", "expect"} {
				if v.has(p + "." + k) {
					v.errorf(p+"."+k, "applies only to url checks, not tcp")
				}
			}
		}
		v.positive(p+".expect.max_latency", h.Expect.MaxLatency)
		v.timing(p, h.Interval, h.Timeout)
	}
}

var (
	envNameRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerNameRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

// secretHeaders carry credentials; their values belong in headers_env.
var secretHeaders = map[string]bool{"authorization": true, "proxy-authorization": true, "cookie": true, "x-api-key": true}

// headers checks an HTTP check's header names, and that credentials come
// from the environment rather than sitting in the file.
func (v *validator) headers(p string, h Health) {
	for _, name := range sortedKeys(h.Headers) {
		val, path := h.Headers[name], p+".headers."+name
		switch {
		case !headerNameRE.MatchString(name):
			v.errorf(path, "%q is not a valid header name", name)
		case secretHeaders[strings.ToLower(name)] && val != "":
			v.errorf(path, "credentials do not belong in the config file: use headers_env: {%s: ENV_VAR}", name)
		}
	}
	for _, name := range sortedKeys(h.HeadersEnv) {
		env, path := h.HeadersEnv[name], p+".headers_env."+name
		switch {
		case !headerNameRE.MatchString(name):
			v.errorf(path, "%q is not a valid header name", name)
		case !envNameRE.MatchString(env):
			v.errorf(path, "%q is not an environment variable name", env)
		case h.Headers[name] != "":
			v.errorf(path, "header %s is also set in headers", name)
		}
	}
}

func (c *Config) defaultSources() {
	if p := c.Prometheus; p != nil {
		p.Interval = orDuration(p.Interval, DefaultInterval)
		p.Timeout = orDuration(p.Timeout, DefaultTimeout)
		p.Range = orDuration(p.Range, Duration(15*time.Minute))
	}
	if a := c.Alertmanager; a != nil {
		a.Interval = orDuration(a.Interval, DefaultInterval)
		a.Timeout = orDuration(a.Timeout, DefaultTimeout)
	}
	for i := range c.Metrics {
		m := &c.Metrics[i]
		if m.Direction == "" {
			m.Direction = "above"
		}
		def := DefaultInterval
		if m.Query != "" && c.Prometheus != nil {
			def = c.Prometheus.Interval
		}
		m.Interval = orDuration(m.Interval, def)
		m.Timeout = orDuration(m.Timeout, DefaultTimeout)
	}
	for i := range c.Health {
		h := &c.Health[i]
		if h.URL != "" && h.Method == "" {
			h.Method = "GET"
		}
		h.Interval = orDuration(h.Interval, DefaultInterval)
		h.Timeout = orDuration(h.Timeout, DefaultTimeout)
	}
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
