package demo

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sitrep-dev/sitrep/config"
)

// ConfigName is the name config errors about the built-in demo config carry.
const ConfigName = "sitrep demo (built-in config)"

// The demo config is written as YAML and read back with config.Parse, so
// it goes through exactly the validation and defaults a user's file does;
// these types mirror the YAML, not config's Go types, because config's
// durations do not marshal to YAML.
type (
	yamlConfig struct {
		Alertmanager yamlPoll     `yaml:"alertmanager"`
		Metrics      []yamlMetric `yaml:"metrics"`
		Health       []yamlHealth `yaml:"health"`
		Flags        []yamlFlags  `yaml:"flags"`
	}
	yamlPoll struct {
		URL      string `yaml:"url"`
		Interval string `yaml:"interval"`
		Timeout  string `yaml:"timeout"`
	}
	yamlMetric struct {
		Name     string   `yaml:"name"`
		Scrape   string   `yaml:"scrape"`
		Series   string   `yaml:"series"`
		Quantile *float64 `yaml:"quantile,omitempty"`
		Unit     string   `yaml:"unit,omitempty"`
		Warn     *float64 `yaml:"warn,omitempty"`
		Crit     *float64 `yaml:"crit,omitempty"`
		Interval string   `yaml:"interval"`
		Timeout  string   `yaml:"timeout"`
	}
	yamlHealth struct {
		Name     string      `yaml:"name"`
		URL      string      `yaml:"url,omitempty"`
		TCP      string      `yaml:"tcp,omitempty"`
		Expect   *yamlExpect `yaml:"expect,omitempty"`
		Interval string      `yaml:"interval"`
		Timeout  string      `yaml:"timeout"`
	}
	yamlExpect struct {
		Status       []int  `yaml:"status,flow"`
		BodyContains string `yaml:"body_contains,omitempty"`
		MaxLatency   string `yaml:"max_latency,omitempty"`
	}
	yamlFlags struct {
		Provider string     `yaml:"provider"`
		Name     string     `yaml:"name"`
		Path     string     `yaml:"path"`
		Interval string     `yaml:"interval"`
		Timeout  string     `yaml:"timeout"`
		Verify   yamlVerify `yaml:"verify"`
	}
	yamlVerify struct {
		URL      string `yaml:"url"`
		Deadline string `yaml:"deadline"`
		Timeout  string `yaml:"timeout"`
	}
)

// healthMaxLatency is the api check's "degraded" bound: the slow health
// answers (slowHealth..maxHealthDelay) are above it and below the timeout.
const healthMaxLatency = 250 * time.Millisecond

func ptr(f float64) *float64 { return &f }

// pollTiming is the poll interval and timeout for every source: 1 s (the
// dashboard's refresh), or 500 ms when the story runs fast enough that 1 s
// would skip whole chapters of it.
func (w *World) pollTiming() (interval, timeout string) {
	if w.speed >= 5 {
		return "500ms", "450ms"
	}
	return "1s", "800ms"
}

func (w *World) buildConfig() error {
	iv, to := w.pollTiming()
	api := w.APIURL()
	metric := func(name, series, unit string, quantile, warn, crit *float64) yamlMetric {
		return yamlMetric{Name: name, Scrape: api + "/metrics", Series: series, Quantile: quantile,
			Unit: unit, Warn: warn, Crit: crit, Interval: iv, Timeout: to}
	}
	doc := yamlConfig{
		Alertmanager: yamlPoll{URL: w.AlertmanagerURL(), Interval: iv, Timeout: to},
		Metrics: []yamlMetric{
			metric("Requests/s", "demo_http_requests_total", "req/s", nil, nil, nil),
			metric("5xx/s", `demo_http_requests_total{code=~"5.."}`, "req/s", nil, ptr(1), ptr(5)),
			metric("p99 latency", "demo_http_request_duration_seconds", "s", ptr(0.99), ptr(0.3), ptr(1)),
			// The pool holds 100 connections, so connections in use read as %.
			metric("DB pool used", "demo_db_connections_in_use", "%", nil, ptr(70), ptr(90)),
		},
		Health: []yamlHealth{
			{Name: "api", URL: api + "/healthz", Interval: iv, Timeout: to,
				Expect: &yamlExpect{Status: []int{200}, BodyContains: `"status":"ok"`, MaxLatency: healthMaxLatency.String()}},
			{Name: "database", URL: api + "/db/healthz", Interval: iv, Timeout: to,
				Expect: &yamlExpect{Status: []int{200}, MaxLatency: healthMaxLatency.String()}},
			{Name: "queue broker", TCP: w.TCPAddr(), Interval: iv, Timeout: to},
		},
		Flags: []yamlFlags{{
			Provider: "file", Name: "flagd", Path: w.flagsPath, Interval: iv, Timeout: to,
			Verify: yamlVerify{URL: w.OFREPURL(), Deadline: "15s", Timeout: to},
		}},
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return fmt.Errorf("demo: encode the built-in config: %w", err)
	}
	cfg, err := config.Parse(ConfigName, data)
	if err != nil {
		return fmt.Errorf("demo: the built-in config is invalid (a bug in internal/demo): %w", err)
	}
	w.cfg, w.cfgYAML = cfg, data
	return nil
}

// Config is the sitrep configuration that points sitrep's real sources at
// this world: scrape metrics, HTTP and TCP health checks, the Alertmanager
// API, and the file flag provider with OFREP verification. It has been
// through config.Parse, so it is validated and defaulted. Callers share
// it and must not modify it; ConfigYAML gives the text to build a copy.
func (w *World) Config() *config.Config { return w.cfg }

// ConfigYAML is Config as YAML, as a user would write it in sitrep.yaml.
func (w *World) ConfigYAML() []byte { return append([]byte(nil), w.cfgYAML...) }
