package recorder

import (
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/alerts"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/metric"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newIncident(t *testing.T) (*incident.Journal, incident.Store, string) {
	t.Helper()
	st := incident.Store{Dir: t.TempDir()}
	j, _, err := st.Create("API 5xx", 2, "tester", t0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, st, j.ID()
}

// leader returns a recorder that holds the lock, driven step by step.
func leader(t *testing.T, j *incident.Journal, c *fakeClock) *Recorder {
	t.Helper()
	r := New(j, Options{Now: c.now, Author: "sitrep-test", OnError: func(err error) { t.Errorf("recorder: %v", err) }})
	r.tryTakeOver()
	if !r.Leading() {
		t.Fatal("recorder did not get the lock")
	}
	t.Cleanup(r.release)
	return r
}

func hsnap(state health.State, why string) sources.Snapshot {
	return sources.Snapshot{ID: "health/api", Kind: sources.KindHealth, Value: health.Result{Name: "api", State: state, Reason: why, Latency: 12 * time.Millisecond}}
}

func msnap(v float64, st metric.State) sources.Snapshot {
	return sources.Snapshot{ID: "metric/5xx", Kind: sources.KindMetric, Value: metric.Value{Name: "5xx", Unit: "/s", Current: v, State: st}}
}

func asnap(list ...alerts.Alert) sources.Snapshot {
	return sources.Snapshot{ID: "alerts", Kind: sources.KindAlerts, Value: list}
}

func autoEntries(t *testing.T, j *incident.Journal) []string {
	t.Helper()
	es, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if e.Auto {
			out = append(out, e.Text)
		}
	}
	return out
}

func TestRecordsTransitionsOfEveryKind(t *testing.T) {
	j, _, _ := newIncident(t)
	c := &fakeClock{t: t0.Add(time.Minute)}
	r := leader(t, j, c)
	apiDown := alerts.Alert{Name: "APIDown", Severity: "critical", Summary: "no 2xx", StartsAt: t0, Labels: map[string]string{"alertname": "APIDown", "job": "api"}}
	steps := []sources.Snapshot{
		hsnap(health.Up, ""),                // baseline: nothing
		msnap(0.2, metric.OK),               // baseline: nothing
		hsnap(health.Down, "HTTP 503"),      // up → down
		msnap(2, metric.Warn),               // ok → warn
		asnap(apiDown),                      // firing
		{ID: "health/api", Err: errStale{}}, // a failed poll changes nothing
		hsnap(health.Down, "HTTP 503"),      // same state: nothing
		{ID: "changes", Value: []incident.ChangeData{
			{Repo: "org/api", Kind: "deploy", Ref: "v1.2.3", Title: "bump pool", At: t0.Add(30 * time.Second)},
			{Repo: "org/api", Kind: "deploy", Ref: "v1.2.2", At: t0.Add(-time.Hour)}, // before the incident
			{Repo: "org/api", Kind: "pr", Ref: "#12", At: t0.Add(40 * time.Second)},  // not a deploy
		}},
		{ID: "changes", Value: []incident.ChangeData{
			{Repo: "org/api", Kind: "deploy", Ref: "v1.2.3", Title: "bump pool", At: t0.Add(30 * time.Second)}, // again
		}},
	}
	for _, s := range steps {
		if s.Err == nil {
			r.observe(s)
		}
	}
	c.add(2 * time.Minute)
	for _, s := range []sources.Snapshot{hsnap(health.Degraded, "slow"), msnap(9, metric.Crit), asnap()} {
		r.observe(s)
	}
	got := strings.Join(autoEntries(t, j), "\n")
	want := strings.Join([]string{
		"health api: up → down — HTTP 503",
		"metric 5xx: ok → warn at 2/s",
		"alert APIDown firing — no 2xx",
		"deploy org/api v1.2.3 — bump pool",
		"health api: down → degraded — slow",
		"metric 5xx: warn → crit at 9/s",
		"alert APIDown resolved — no 2xx",
	}, "\n")
	if got != want {
		t.Fatalf("journal:\n%s\nwant:\n%s", got, want)
	}
	es, _ := j.Load()
	var hd incident.HealthData
	var found bool
	for _, e := range es {
		if e.Kind == incident.KindHealth && !found {
			found = e.Decode(&hd) == nil
			if e.Author != "sitrep-test" {
				t.Errorf("author = %q", e.Author)
			}
		}
	}
	if hd != (incident.HealthData{Check: "api", From: "up", To: "down", Reason: "HTTP 503", LatencyMS: 12}) {
		t.Errorf("health data = %+v", hd)
	}
}

type errStale struct{}

func (errStale) Error() string { return "stale" }

func TestFlappingWritesAtMostOneEntryPerMinuteAndEndsTrue(t *testing.T) {
	j, _, _ := newIncident(t)
	c := &fakeClock{t: t0.Add(time.Minute)}
	r := leader(t, j, c)
	// A check flapping every 5 s for 5 minutes, ending down.
	state := health.Up
	for i := 0; i <= 60; i++ {
		if state == health.Up {
			state = health.Down
		} else {
			state = health.Up
		}
		r.observe(hsnap(state, "flap"))
		r.flush()
		c.add(5 * time.Second)
	}
	c.add(time.Minute)
	r.flush()
	es, _ := j.Load()
	var times []time.Time
	var last incident.HealthData
	for _, e := range es {
		if e.Kind == incident.KindHealth {
			times = append(times, e.At)
			_ = e.Decode(&last)
		}
	}
	if len(times) == 0 || len(times) > 7 {
		t.Fatalf("%d entries for 5 minutes of flapping, want 1..7 (one per minute at most)", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < time.Minute {
			t.Errorf("entries %d and %d are %s apart, want at least a minute", i-1, i, gap)
		}
	}
	if last.To != string(state) {
		t.Fatalf("journal ends at %s, the check is %s", last.To, state)
	}
	if texts := autoEntries(t, j); len(texts) > 1 && !strings.Contains(strings.Join(texts[1:], ""), "flapping") {
		t.Errorf("entries after the first do not say the check was flapping: %q", texts)
	}
}

func TestANewRecorderDoesNotRecordAgain(t *testing.T) {
	j, st, id := newIncident(t)
	c := &fakeClock{t: t0.Add(time.Minute)}
	r := leader(t, j, c)
	world := []sources.Snapshot{
		hsnap(health.Down, "refused"),
		msnap(9, metric.Crit),
		asnap(alerts.Alert{Name: "APIDown", Labels: map[string]string{"alertname": "APIDown"}}),
		{ID: "changes", Value: []incident.ChangeData{{Repo: "o/r", Kind: "deploy", Ref: "abc", At: t0.Add(time.Second)}}},
	}
	for _, s := range world {
		r.observe(s)
	}
	r.release()
	n := len(autoEntries(t, j))
	if n != 4 {
		t.Fatalf("first recorder wrote %d entries, want 4", n)
	}

	j2, err := st.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	r2 := leader(t, j2, c)
	for _, s := range world {
		r2.observe(s)
	}
	if got := len(autoEntries(t, j2)); got != n {
		t.Fatalf("restarted recorder wrote %d new entries for an unchanged world", got-n)
	}
}

func TestOnlyTheLockHolderRecords(t *testing.T) {
	j, st, id := newIncident(t)
	c := &fakeClock{t: t0}
	a := leader(t, j, c)
	j2, _ := st.Open(id)
	defer j2.Close()
	b := New(j2, Options{Now: c.now})
	b.tryTakeOver()
	if b.Leading() {
		t.Fatal("two recorders hold the lock")
	}
	a.release()
	b.tryTakeOver()
	if !b.Leading() {
		t.Fatal("standby did not take over after the holder released the lock")
	}
	b.release()
}
