package demo

import (
	"net/http"
	"os"
	"testing"
	"time"
)

// TestStoryTimingAtRealSpeed measures the story a newcomer sees with
// `sitrep demo` (Speed 1). It takes about 25 s, so it runs only with
// SITREP_DEMO_REALTIME=1.
func TestStoryTimingAtRealSpeed(t *testing.T) {
	if os.Getenv("SITREP_DEMO_REALTIME") == "" {
		t.Skip("set SITREP_DEMO_REALTIME=1 to play the story in real time (~25 s)")
	}
	w := startWorld(t, 1)
	start := time.Now()
	marks := map[string]time.Duration{}
	mark := func(name string, cond bool) {
		if _, done := marks[name]; cond && !done {
			marks[name] = time.Since(start).Round(100 * time.Millisecond)
			t.Logf("%-28s at %v", name, marks[name])
		}
	}
	for len(marks) < 5 {
		if time.Since(start) > 40*time.Second {
			t.Fatalf("story incomplete after 40 s: %v", marks)
		}
		inUse := gauge(t, scrape(t, w), "demo_db_connections_in_use")
		code, _, took := httpDo(t, "GET", w.APIURL()+"/healthz", "")
		mark("pool ≥ 70 % (warn)", inUse >= 70)
		mark("pool ≥ 90 % (crit)", inUse >= 90)
		mark("api health degraded", code == http.StatusOK && took > healthMaxLatency)
		mark("api health down (503)", code == http.StatusServiceUnavailable)
		mark("alert firing", len(firingAlerts(t, w, "")) > 0)
		time.Sleep(100 * time.Millisecond)
	}
	if marks["pool ≥ 90 % (crit)"] > 20*time.Second {
		t.Errorf("crit only after %v; a newcomer should see it within 20 s", marks["pool ≥ 90 % (crit)"])
	}

	setDefaultVariant(t, w.FlagsPath(), FlagKey, "off")
	killed := time.Now()
	eventually(t, 10*time.Second, "recovered", func() bool {
		code, _, took := httpDo(t, "GET", w.APIURL()+"/healthz", "")
		return gauge(t, scrape(t, w), "demo_db_connections_in_use") < 40 && code == 200 &&
			took < healthMaxLatency && len(firingAlerts(t, w, "")) == 0
	})
	rec := time.Since(killed).Round(100 * time.Millisecond)
	t.Logf("%-28s %v after the kill", "recovered (pool < 40 %, up, no alerts)", rec)
	if rec > 6*time.Second {
		t.Errorf("recovery took %v; want within a few seconds", rec)
	}
}
