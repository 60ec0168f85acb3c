package demo

import (
	"context"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
)

func TestConfigIsValidAndPointsAtTheWorld(t *testing.T) {
	for _, tc := range []struct {
		speed    float64
		interval time.Duration
	}{{1, time.Second}, {10, 500 * time.Millisecond}} {
		w := startWorld(t, tc.speed)
		// The YAML a user would save must parse with the same result.
		c, err := config.Parse("sitrep.yaml", w.ConfigYAML())
		if err != nil {
			t.Fatalf("speed %g: the demo config does not validate:\n%v\n%s", tc.speed, err, w.ConfigYAML())
		}
		if got := w.Config(); got == nil || len(got.Metrics) != len(c.Metrics) {
			t.Fatalf("Config() and ConfigYAML() disagree")
		}
		var urls []string
		names := map[string]bool{}
		for _, m := range c.Metrics {
			names[m.Name] = true
			urls = append(urls, m.Scrape)
			if m.Interval.D() != tc.interval || m.Timeout >= m.Interval {
				t.Errorf("metric %s polls every %s with timeout %s", m.Name, m.Interval, m.Timeout)
			}
		}
		for _, want := range []string{"Requests/s", "5xx/s", "p99 latency", "DB pool used"} {
			if !names[want] {
				t.Errorf("no metric %q in %v", want, names)
			}
		}
		for _, h := range c.Health {
			if h.URL != "" {
				urls = append(urls, h.URL)
			} else if h.TCP != w.TCPAddr() {
				t.Errorf("tcp check %s targets %s, not the world's %s", h.Name, h.TCP, w.TCPAddr())
			}
		}
		if len(c.Health) != 3 {
			t.Errorf("want api, database and tcp checks, got %d", len(c.Health))
		}
		if len(c.Flags) != 1 || c.Flags[0].Provider != "file" || c.Flags[0].Path != w.FlagsPath() || c.Flags[0].Verify == nil {
			t.Fatalf("flags config %+v does not use the world's flags file with verify", c.Flags)
		}
		urls = append(urls, c.Alertmanager.URL, c.Flags[0].Verify.URL)
		for _, u := range urls {
			pu, err := url.Parse(u)
			if err != nil || pu.Hostname() != "127.0.0.1" {
				t.Errorf("%q does not point at 127.0.0.1", u)
			}
		}
	}
}

func TestEveryConfiguredEndpointAnswers(t *testing.T) {
	w := startWorld(t, 1)
	c := w.Config()
	for _, m := range c.Metrics {
		if code, _, _ := httpDo(t, "GET", m.Scrape, ""); code != http.StatusOK {
			t.Errorf("metric %s: %s answered %d", m.Name, m.Scrape, code)
		}
	}
	for _, h := range c.Health {
		if h.TCP != "" {
			conn, err := net.DialTimeout("tcp", h.TCP, time.Second)
			if err != nil {
				t.Errorf("tcp check %s: %v", h.Name, err)
				continue
			}
			conn.Close()
			continue
		}
		code, body, took := httpDo(t, h.Method, h.URL, "")
		if code != h.Expect.Status[0] || !strings.Contains(string(body), h.Expect.BodyContains) || took > h.Expect.MaxLatency.D() {
			t.Errorf("health %s at start: %d %q in %v, want up", h.Name, code, body, took)
		}
	}
	if as := firingAlerts(t, w, ""); len(as) != 0 {
		t.Errorf("alerts firing at start: %v", alertNames(as))
	}
	if code, a := evalFlag(t, w, FlagKey, ""); code != http.StatusOK || a.Value != true {
		t.Errorf("OFREP %s at start: %d %+v", FlagKey, code, a)
	}
}

func TestStartRejectsBadSpeed(t *testing.T) {
	for _, s := range []float64{-1, math.NaN(), math.Inf(1), MaxSpeed + 1} {
		if w, err := Start(context.Background(), Options{Speed: s, Dir: t.TempDir()}); err == nil {
			w.Close()
			t.Errorf("speed %g: want an error", s)
		} else if !strings.Contains(err.Error(), "speed") {
			t.Errorf("speed %g: error %q does not name the speed", s, err)
		}
	}
}

func TestOFREPErrors(t *testing.T) {
	w := startWorld(t, 1)
	tests := []struct {
		name, key, body string
		code            int
		errCode         string
	}{
		{"unknown flag is 404 FLAG_NOT_FOUND", "no-such-flag", `{}`, 404, codeFlagNotFound},
		{"a body that is not JSON is INVALID_CONTEXT", FlagKey, `{`, 400, "INVALID_CONTEXT"},
		{"a context that is not an object is INVALID_CONTEXT", FlagKey, `{"context":[1]}`, 400, "INVALID_CONTEXT"},
		{"a null context is an empty one", FlagKey, `{"context":null}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, a := evalFlag(t, w, tt.key, tt.body)
			if code != tt.code || a.ErrorCode != tt.errCode || (code == 200) != (a.Key == tt.key && a.Reason != "") {
				t.Errorf("got %d %+v, want %d %s", code, a, tt.code, tt.errCode)
			}
		})
	}
	if code, _, _ := httpDo(t, "GET", w.OFREPURL()+"/ofrep/v1/evaluate/flags/"+FlagKey, ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET on the evaluation endpoint: %d, want 405", code)
	}
	big := `{"context":{"x":"` + strings.Repeat("a", maxOFREPBody) + `"}}`
	if code, _ := evalFlag(t, w, FlagKey, big); code != http.StatusBadRequest {
		t.Errorf("an oversized body: %d, want 400", code)
	}
}

func TestAlertsQueryParameters(t *testing.T) {
	w := startWorld(t, 50)
	eventually(t, 10*time.Second, "alerts firing", func() bool { return len(firingAlerts(t, w, "")) > 0 })
	for _, tc := range []struct {
		query  string
		code   int
		alerts bool
	}{
		{"?active=true&silenced=false&inhibited=false&unprocessed=true", 200, true},
		{"?receiver=predictions-.*", 200, true},
		{"?active=false", 200, false},
		{"?receiver=predictions", 200, false}, // anchored, like Alertmanager
		{"?active=maybe", 400, false},
		{"?receiver=(", 400, false},
		{`?filter=alertname%3D%22X%22`, 400, false},
	} {
		code, body, _ := httpDo(t, "GET", w.AlertmanagerURL()+"/api/v2/alerts"+tc.query, "")
		if code != tc.code {
			t.Errorf("%s: status %d (%s), want %d", tc.query, code, body, tc.code)
			continue
		}
		if code == 200 && (strings.TrimSpace(string(body)) != "[]") != tc.alerts {
			t.Errorf("%s: body %s, want alerts=%v", tc.query, body, tc.alerts)
		}
	}
}

// A broken flags file must not change behaviour: like flagd, the service
// keeps the last good flags and reports the error.
func TestBrokenFlagsFileKeepsTheLastGoodFlags(t *testing.T) {
	w := startWorld(t, 10)
	setDefaultVariant(t, w.FlagsPath(), FlagKey, "off")
	eventually(t, 2*time.Second, "off served", func() bool { _, a := evalFlag(t, w, FlagKey, ""); return a.Value == false })

	if err := os.WriteFile(w.FlagsPath(), []byte(`{"flags":{"async-writes":`), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, "the reload error reported", func() bool { return w.FlagsError() != nil })
	if code, a := evalFlag(t, w, FlagKey, ""); code != 200 || a.Value != false {
		t.Errorf("with a broken file OFREP answered %d %+v, want the last good value false", code, a)
	}
	if err := os.WriteFile(w.FlagsPath(), []byte(initialFlags), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, "the good file loaded again", func() bool {
		_, a := evalFlag(t, w, FlagKey, "")
		return w.FlagsError() == nil && a.Value == true
	})
}

func TestCloseStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := t.TempDir()
	w, err := Start(context.Background(), Options{Speed: 50, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	addrs := []string{w.api.Addr().String(), w.flagd.Addr().String(), w.am.Addr().String(), w.TCPAddr()}
	evalFlag(t, w, FlagKey, "")
	eventually(t, 10*time.Second, "saturated", func() bool { return len(firingAlerts(t, w, "")) > 0 && w.state().Saturated() })
	// The database check answers slowly now; one in flight must not hold
	// Close up.
	go func() {
		if resp, err := testClient.Get(w.APIURL() + "/db/healthz"); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if took := time.Since(start); took > slowHealth/2 {
		t.Errorf("Close took %v with a slow health request in flight", took)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for _, a := range addrs {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Close", a)
		}
	}
	if _, err := os.Stat(w.FlagsPath()); err != nil {
		t.Errorf("a caller's Dir must be kept: %v", err)
	}
	testClient.CloseIdleConnections()
	eventually(t, 3*time.Second, "goroutines back to the count before Start", func() bool {
		return runtime.NumGoroutine() <= before
	})
}

func TestCancelStopsServingAndCloseRemovesTheTempDir(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cancel()
	eventually(t, 2*time.Second, "listeners closed after cancel", func() bool {
		c, err := net.DialTimeout("tcp", w.api.Addr().String(), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(w.Dir()); !os.IsNotExist(err) {
		t.Errorf("temporary dir %s still exists after Close (err %v)", w.Dir(), err)
	}
}
