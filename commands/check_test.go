package commands

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/sources/wire"
)

func TestCheckProbesEverySourceAndFailsOnAnyFailure(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "db \x1b[31mgone", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("# TYPE pg_connections gauge\npg_connections 97\n"))
	})
	mux.HandleFunc("/api/v2/alerts", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`[{"labels":{"alertname":"A"},"startsAt":"2026-01-01T00:00:00Z"}]`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hung.Close()

	cfg, err := config.Parse("sitrep.yaml", []byte(`
alertmanager: {url: `+srv.URL+`}
metrics:
  - {name: DB connections, scrape: `+srv.URL+`/metrics, series: pg_connections, warn: 80, crit: 95}
  - {name: slow, scrape: `+hung.URL+`/metrics, series: x, timeout: 200ms}
health:
  - {name: api, url: `+srv.URL+`/healthz}
  - {name: db, url: `+srv.URL+`/down}
`))
	if err != nil {
		t.Fatal(err)
	}
	pollers, err := wire.Pollers(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	start := time.Now()
	rows, err := Check(context.Background(), pollers, &out)
	if took := time.Since(start); took > time.Second {
		t.Errorf("check took %s: probes must run in parallel, each within its timeout", took)
	}
	if err == nil || err.Error() != "2 of 5 sources failed" {
		t.Fatalf("err = %v", err)
	}
	got := map[string]CheckResult{}
	for _, r := range rows {
		got[r.Source] = r
	}
	for id, want := range map[string]bool{"metric/DB connections": true, "metric/slow": false, "health/api": true, "health/db": false, "alerts": true} {
		if got[id].OK != want {
			t.Errorf("%s ok = %v, want %v (%+v)", id, got[id].OK, want, got[id])
		}
	}
	text := out.String()
	for _, want := range []string{"SOURCE", "LATENCY", "97 crit", "1 firing", "HTTP 503, want 2xx: db gone", "timed out"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	if strings.ContainsRune(text, '\x1b') {
		t.Errorf("control characters in the table:\n%q", text)
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != 6 {
		t.Errorf("want a header and 5 rows:\n%s", text)
	}
}

func TestCheckWithNoSourcesSaysHowToAddThem(t *testing.T) {
	var out bytes.Buffer
	if _, err := Check(context.Background(), nil, &out); err != nil || !strings.Contains(out.String(), "no sources configured") {
		t.Fatalf("err %v, out %q", err, out.String())
	}
}
