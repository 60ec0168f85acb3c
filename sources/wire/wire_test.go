package wire

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/sources/alerts"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/metric"
)

func TestPollersFollowTheConfig(t *testing.T) {
	cfg, err := config.Parse("sitrep.yaml", []byte(`
sources: {max_body: 1234}
prometheus: {url: http://127.0.0.1:9090, timeout: 2s}
alertmanager: {url: http://127.0.0.1:9093}
metrics:
  - {name: API 5xx/s, query: 'sum(rate(http_requests_total{code=~"5.."}[1m]))', warn: 1, crit: 5}
  - {name: DB connections, scrape: http://127.0.0.1:9187/metrics, series: pg_stat_activity_count, crit: 95, direction: below}
health:
  - {name: api, url: https://api.internal/healthz, interval: 10s, timeout: 2s, expect: {status: 200, body_regexp: ok}}
  - {name: postgres, tcp: db.internal:5432}
`))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := Pollers(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID())
	}
	if got := strings.Join(ids, ","); got != "metric/API 5xx/s,metric/DB connections,health/api,health/postgres,alerts" {
		t.Fatalf("ids = %s", got)
	}
	if p := ps[0].(*metric.Prom); p.MaxBody != 1234 || p.Thresholds.Warn == nil || *p.Thresholds.Crit != 5 || p.Auth != nil {
		t.Errorf("prom = %+v", p)
	}
	if s := ps[1].(*metric.Scrape); !s.Thresholds.Below || s.Series.Name != "pg_stat_activity_count" {
		t.Errorf("scrape = %+v", s)
	}
	if h := ps[2].(*health.HTTP); h.BodyRegexp == nil || h.Status[0] != 200 || h.Limit.Seconds() != 2 {
		t.Errorf("health = %+v", h)
	}
	if _, ok := ps[3].(*health.TCP); !ok {
		t.Errorf("postgres is %T", ps[3])
	}
	if _, ok := ps[4].(*alerts.Poller); !ok {
		t.Errorf("alerts is %T", ps[4])
	}
}

func TestBearerReadsTheTokenAtUseAndNeverQuotesIt(t *testing.T) {
	if Bearer("", "") != nil {
		t.Fatal("no token configured must mean no hook")
	}
	t.Setenv("SITREP_TEST_TOKEN", "tok-1")
	hook := Bearer("SITREP_TEST_TOKEN", "")
	req, _ := http.NewRequest("GET", "http://127.0.0.1/", nil)
	if err := hook(req); err != nil || req.Header.Get("Authorization") != "Bearer tok-1" {
		t.Fatalf("header = %q, %v", req.Header.Get("Authorization"), err)
	}
	t.Setenv("SITREP_TEST_TOKEN", "tok-2") // rotated
	if err := hook(req); err != nil || req.Header.Get("Authorization") != "Bearer tok-2" {
		t.Fatalf("rotated token not picked up: %q", req.Header.Get("Authorization"))
	}

	file := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(file, []byte("file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Bearer("", file)(req); err != nil || req.Header.Get("Authorization") != "Bearer file-secret" {
		t.Fatalf("file token: %q %v", req.Header.Get("Authorization"), err)
	}
	os.Remove(file)
	err := Bearer("", file)(req)
	if err == nil || strings.Contains(err.Error(), "file-secret") {
		t.Fatalf("err = %v", err)
	}
}
