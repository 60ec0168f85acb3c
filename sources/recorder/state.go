package recorder

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources/alerts"
)

// track is what the recorder knows about one thing it watches (a check, a
// metric, an alert): the state last journaled, when, and the state seen
// most recently, which may be waiting out the hysteresis gap.
type track struct {
	recorded   string    // state in the journal ("" = never journaled: the good state)
	recordedAt time.Time // when that entry was written (zero: before this process)
	seen       string    // latest observed state
	flaps      int       // changes seen since the last entry
	pending    *incident.Draft
	alert      alerts.Alert // alerts only: what to say when it resolves
}

// known is the recorder's memory, rebuilt from the journal on takeover so
// that a restarted or new recorder does not journal a state twice.
type known struct {
	tracks  map[string]*track // key: kind + "/" + name (see key funcs)
	changes map[string]bool   // changeKey of every change already journaled
	start   time.Time         // the incident's start: opened, or an earlier started
}

func newKnown() *known {
	return &known{tracks: map[string]*track{}, changes: map[string]bool{}}
}

func healthKey(check string) string { return "health/" + check }
func metricKey(name string) string  { return "metric/" + name }

func alertKey(name string, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("alert/" + name)
	for _, k := range keys {
		fmt.Fprintf(&b, "\x00%s=%s", k, labels[k])
	}
	return b.String()
}

func changeKey(c incident.ChangeData) string {
	return c.Repo + "\x00" + c.Kind + "\x00" + c.Ref + "\x00" + c.At.UTC().Format(time.RFC3339Nano)
}

// load replays the journal. Entries of other processes count too: whoever
// wrote "api down", this recorder must not write it again.
func (k *known) load(entries []incident.Entry) {
	set := func(key, state string, at time.Time) {
		t := k.tracks[key]
		if t == nil {
			t = &track{}
			k.tracks[key] = t
		}
		t.recorded, t.recordedAt, t.seen = state, at, state
	}
	for _, e := range entries {
		switch e.Kind {
		case incident.KindOpened, incident.KindStarted:
			if k.start.IsZero() || e.At.Before(k.start) {
				k.start = e.At
			}
		case incident.KindHealth:
			var d incident.HealthData
			if e.Decode(&d) == nil {
				set(healthKey(d.Check), d.To, e.At)
			}
		case incident.KindMetric:
			var d incident.MetricData
			if e.Decode(&d) == nil {
				set(metricKey(d.Name), d.To, e.At)
			}
		case incident.KindAlert:
			var d incident.AlertData
			if e.Decode(&d) == nil {
				key := alertKey(d.Name, d.Labels)
				set(key, d.State, e.At)
				k.tracks[key].alert = alerts.Alert{Name: d.Name, Severity: d.Severity, Summary: d.Summary, StartsAt: d.StartsAt, Labels: d.Labels}
			}
		case incident.KindChange:
			var d incident.ChangeData
			if e.Decode(&d) == nil {
				k.changes[changeKey(d)] = true
			}
		}
	}
}
