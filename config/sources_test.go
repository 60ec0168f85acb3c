package config

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestDesignExampleParses(t *testing.T) {
	data, err := os.ReadFile("testdata/design.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("testdata/design.yaml", data)
	if err != nil {
		t.Fatalf("the DESIGN.md example does not parse:\n%v", err)
	}
	if len(c.Metrics) != 2 || len(c.Health) != 2 || c.Prometheus == nil || c.Alertmanager == nil {
		t.Fatalf("config = %+v", c)
	}
	m := c.Metrics[0]
	if m.Direction != "above" || m.Interval.D() != 10*time.Second || m.Timeout.D() != 2*time.Second || *m.Crit != 5 {
		t.Errorf("defaults not applied to metrics[0]: %+v", m)
	}
	if c.Prometheus.Range.D() != 15*time.Minute || c.Alertmanager.Timeout.D() != 2*time.Second {
		t.Errorf("prometheus/alertmanager defaults: %+v %+v", c.Prometheus, c.Alertmanager)
	}
	if h := c.Health[0]; h.Method != "GET" || h.Expect.Status[0] != 200 {
		t.Errorf("health[0] = %+v", h)
	}
	if c.Sources.MaxBody != DefaultMaxBody || c.Sources.Concurrency != DefaultConcurrency {
		t.Errorf("sources = %+v", c.Sources)
	}
}

// TestBadFilesReportEveryError checks every error of a file is reported at
// once, each as file:line:col: path: message, exactly as in the golden
// .errors file next to it.
func TestBadFilesReportEveryError(t *testing.T) {
	for _, name := range []string{"bad-sources", "bad-types"} {
		t.Run(name, func(t *testing.T) {
			path := "testdata/" + name + ".yaml"
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile("testdata/" + name + ".errors")
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(path, data)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("err = %v (%T), want Errors", err, err)
			}
			if got := es.Error() + "\n"; got != string(want) {
				t.Fatalf("errors:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestSourcesValidation(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string // want: the exact error text; "" = valid
	}{
		{"scrape metric", "metrics:\n  - {name: m, scrape: http://127.0.0.1:9100/metrics, series: 'node_load1{cpu!=\"\"}'}\n", ""},
		{"quantile of a scraped histogram", "metrics:\n  - {name: p99, scrape: http://h:1/metrics, series: lat_seconds, quantile: 0.99}\n", ""},
		{"below direction with warn above crit", "metrics:\n  - {name: ok%, scrape: http://h:1/m, series: s, warn: 99, crit: 95, direction: below}\n", ""},
		{"tcp check", "health:\n  - {name: db, tcp: '[::1]:5432'}\n", ""},
		{"secret header from env", "health:\n  - {name: a, url: http://h/, headers_env: {Authorization: TOKEN}}\n", ""},
		{"query without prometheus", "metrics:\n  - {name: m, query: up}\n",
			"t.yaml:2:22: metrics[0].query: a PromQL query needs a prometheus: {url: ...} section"},
		{"scrape without series", "metrics:\n  - {name: m, scrape: http://h:1/metrics}\n",
			"t.yaml:2:5: metrics[0].series: is required"},
		{"series on a query", "prometheus: {url: http://p:9090}\nmetrics:\n  - {name: m, query: up, series: up}\n",
			"t.yaml:3:34: metrics[0].series: series only applies to scrape metrics"},
		{"quantile on a query", "prometheus: {url: http://p:9090}\nmetrics:\n  - {name: m, query: up, quantile: 0.5}\n",
			"t.yaml:3:36: metrics[0].quantile: quantile only applies to scrape metrics; in PromQL use histogram_quantile()"},
		{"bad selector", "metrics:\n  - {name: m, scrape: http://h:1/m, series: 'x{a=1}'}\n",
			`t.yaml:2:45: metrics[0].series: expected a "quoted" label value at column 5; write name or name{label="value",other=~"regexp"}`},
		{"timeout equal to the default interval", "health:\n  - {name: a, tcp: 'h:1', timeout: 10s}\n",
			"t.yaml:2:36: health[0].timeout: timeout 10s must be shorter than the interval 10s"},
		{"zero interval", "health:\n  - {name: a, tcp: 'h:1', interval: 0s}\n",
			"t.yaml:2:37: health[0].interval: must be greater than zero"},
		{"headers on a tcp check", "health:\n  - {name: a, tcp: 'h:1', headers: {X: y}}\n",
			"t.yaml:2:36: health[0].headers: applies only to url checks, not tcp"},
		{"cookie in the file", "health:\n  - {name: a, url: http://h/, headers: {Cookie: session=1}}\n",
			"t.yaml:2:49: health[0].headers.Cookie: credentials do not belong in the config file: use headers_env: {Cookie: ENV_VAR}"},
		{"prometheus token twice", "prometheus: {url: http://p:9090, token_env: T, token_file: /f}\n",
			"t.yaml:1:60: prometheus.token_file: set token_env or token_file, not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.yaml))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err:\n%v\nwant:\n%s", err, tc.want)
			}
		})
	}
}

// FuzzParse: no input makes the config parser panic, and every error it
// reports names the file.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"design", "bad-sources", "bad-types"} {
		if b, err := os.ReadFile("testdata/" + name + ".yaml"); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("health: [{name: a, url: 'http://h/', expect: {status: [200, 204]}}]\n"))
	f.Add([]byte("metrics: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		_, err := Parse("f.yaml", data)
		if took := time.Since(start); took > time.Second {
			t.Fatalf("Parse took %s on %d bytes", took, len(data))
		}
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
