package demo

import (
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"
)

// TestKillSwitchEndsTheIncident plays the whole story at Speed 20 against
// the real endpoints: the pool saturates, latency, errors, health and
// alerts follow; switching async-writes off in the flags file (as the file
// provider does) makes the service recover and OFREP report the new
// variant; switching it back on brings the incident back.
func TestKillSwitchEndsTheIncident(t *testing.T) {
	w := startWorld(t, 20)

	fams := scrape(t, w)
	if inUse := gauge(t, fams, "demo_db_connections_in_use"); inUse > 40 {
		t.Fatalf("at start the pool should be calm, got %v connections in use", inUse)
	}
	if on := gauge(t, fams, "demo_feature_async_writes_enabled"); on != 1 {
		t.Fatalf("at start the service should run async writes, gauge is %v", on)
	}
	if max := gauge(t, fams, "demo_db_connections_max"); max != 100 {
		t.Fatalf("pool max = %v, want 100 (the config reads in-use as %%)", max)
	}

	// The incident builds up.
	eventually(t, 10*time.Second, "saturated (in use ≥ 95 with waiters)", func() bool {
		f := scrape(t, w)
		return gauge(t, f, "demo_db_connections_in_use") >= 95 && gauge(t, f, "demo_db_connections_waiting") > 0
	})
	eventually(t, 5*time.Second, "both alerts firing", func() bool {
		return slices.Equal(alertNames(firingAlerts(t, w, "")), []string{"DBConnectionPoolSaturated", "HighErrorRate"})
	})
	checkAlertShape(t, firingAlerts(t, w, "?active=true&silenced=false&inhibited=false"))
	if code, body, _ := httpDo(t, "GET", w.APIURL()+"/healthz", ""); code != http.StatusServiceUnavailable {
		t.Errorf("api health while saturated: status %d (%s), want 503", code, body)
	}
	if _, _, took := httpDo(t, "GET", w.APIURL()+"/db/healthz", ""); took < healthMaxLatency {
		t.Errorf("database health while saturated answered in %v, want slower than max_latency %v", took, healthMaxLatency)
	}
	before := scrape(t, w)
	time.Sleep(400 * time.Millisecond)
	after := scrape(t, w)
	if p99 := p99Between(before, after); p99 < 1 {
		t.Errorf("p99 while saturated = %.3fs, want ≥ 1s", p99)
	}
	if errs := requestsWithCode(after, "5") - requestsWithCode(before, "5"); errs/0.4 < 5 {
		t.Errorf("5xx rate while saturated = %.1f/s, want ≥ 5/s (the config's crit)", errs/0.4)
	}

	// The commander kills the flag.
	setDefaultVariant(t, w.FlagsPath(), FlagKey, "off")
	eventually(t, 2*time.Second, "OFREP serving async-writes=off", func() bool {
		code, a := evalFlag(t, w, FlagKey, `{"context":{"targetingKey":"sitrep-verify"}}`)
		return code == http.StatusOK && a.Value == false && a.Variant == "off" && a.Reason == reasonStatic
	})
	eventually(t, 5*time.Second, "recovered (pool < 40, no waiters, alerts resolved, health up)", func() bool {
		f := scrape(t, w)
		code, _, took := httpDo(t, "GET", w.APIURL()+"/healthz", "")
		return gauge(t, f, "demo_db_connections_in_use") < 40 && gauge(t, f, "demo_db_connections_waiting") == 0 &&
			len(firingAlerts(t, w, "")) == 0 && code == http.StatusOK && took < healthMaxLatency
	})
	if on := gauge(t, scrape(t, w), "demo_feature_async_writes_enabled"); on != 0 {
		t.Errorf("after the kill the service still runs async writes (gauge %v)", on)
	}
	if p99 := p99Window(t, w, 400*time.Millisecond); p99 > 0.3 {
		t.Errorf("p99 after recovery = %.3fs, want < 0.3s (the config's warn)", p99)
	}

	// Rolling it out again brings the incident back.
	setDefaultVariant(t, w.FlagsPath(), FlagKey, "on")
	eventually(t, 10*time.Second, "saturated again after re-enabling", func() bool {
		return gauge(t, scrape(t, w), "demo_db_connections_in_use") >= 90
	})
}

var fingerprintRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

// checkAlertShape holds the alerts to Alertmanager API v2's gettableAlert.
func checkAlertShape(t *testing.T, as []gettableAlert) {
	t.Helper()
	if len(as) == 0 {
		t.Fatal("no alerts to check")
	}
	for _, a := range as {
		name := a.Labels["alertname"]
		switch {
		case !fingerprintRE.MatchString(a.Fingerprint):
			t.Errorf("%s: fingerprint %q is not 16 hex digits", name, a.Fingerprint)
		case a.Fingerprint != a.Labels.Fingerprint().String():
			t.Errorf("%s: fingerprint %s is not the label set's", name, a.Fingerprint)
		case a.Labels["severity"] != "critical" && a.Labels["severity"] != "warning":
			t.Errorf("%s: severity %q", name, a.Labels["severity"])
		case a.Annotations["summary"] == "" || a.Annotations["description"] == "":
			t.Errorf("%s: missing summary/description annotations: %v", name, a.Annotations)
		case a.StartsAt.IsZero() || a.UpdatedAt.Before(a.StartsAt) || !a.EndsAt.After(a.UpdatedAt):
			t.Errorf("%s: times startsAt %v updatedAt %v endsAt %v are not ordered", name, a.StartsAt, a.UpdatedAt, a.EndsAt)
		case a.StartsAt.Location() != time.UTC:
			t.Errorf("%s: startsAt %v is not UTC", name, a.StartsAt)
		case a.Status.State != "active" || a.Status.SilencedBy == nil || a.Status.InhibitedBy == nil:
			t.Errorf("%s: status %+v, want active with empty silencedBy/inhibitedBy lists", name, a.Status)
		case len(a.Receivers) != 1 || a.Receivers[0].Name == "":
			t.Errorf("%s: receivers %+v", name, a.Receivers)
		}
	}
}
