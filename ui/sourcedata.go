package ui

import (
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/alerts"
	"github.com/sitrep-dev/sitrep/sources/flags"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/metric"
)

// sourceData is the latest snapshot of every source, plus the lists the
// alerts, flags and changes panes show (derived once per batch, not per
// frame).
type sourceData struct {
	order map[sources.Kind][]string // source ids in config order
	snaps map[string]sources.Snapshot

	alerts  []alerts.Alert
	flags   []flags.Flag
	fetched []incident.ChangeData // from the GitHub pollers
	changes []incident.ChangeData // fetched merged with the journal's marks; see Model.mergeChanges
}

func newSourceData(pollers []sources.Poller) sourceData {
	d := sourceData{order: map[sources.Kind][]string{}, snaps: map[string]sources.Snapshot{}}
	for _, p := range pollers {
		d.order[p.Kind()] = append(d.order[p.Kind()], p.ID())
	}
	return d
}

func (d *sourceData) configured(k sources.Kind) bool { return len(d.order[k]) > 0 }

func (d *sourceData) apply(batch []sources.Snapshot) {
	touched := map[sources.Kind]bool{}
	for _, s := range batch {
		if _, known := d.snaps[s.ID]; !known && !contains(d.order[s.Kind], s.ID) {
			d.order[s.Kind] = append(d.order[s.Kind], s.ID)
		}
		d.snaps[s.ID] = s
		touched[s.Kind] = true
	}
	if touched[sources.KindAlerts] {
		d.alerts = d.alerts[:0]
		for _, id := range d.order[sources.KindAlerts] {
			if as, ok := d.snaps[id].Value.([]alerts.Alert); ok {
				d.alerts = append(d.alerts, as...)
			}
		}
	}
	if touched[sources.KindFlags] {
		d.flags = d.flags[:0]
		for _, id := range d.order[sources.KindFlags] {
			if fs, ok := d.snaps[id].Value.([]flags.Flag); ok {
				d.flags = append(d.flags, fs...)
			}
		}
	}
	if touched[sources.KindChanges] {
		d.fetched = d.fetched[:0]
		for _, id := range d.order[sources.KindChanges] {
			if cs, ok := d.snaps[id].Value.([]incident.ChangeData); ok {
				d.fetched = append(d.fetched, cs...)
			}
		}
	}
}

// evidence is the configured metrics' values right now: journaled with a
// flag change so the postmortem shows what the change did.
func (d *sourceData) evidence() []incident.MetricReading {
	var out []incident.MetricReading
	for _, id := range d.order[sources.KindMetric] {
		s, ok := d.snaps[id]
		if !ok {
			continue
		}
		v, ok := s.Value.(metric.Value)
		if !ok {
			continue
		}
		state := string(v.State)
		if s.Stale() {
			state = "stale"
		}
		out = append(out, incident.MetricReading{Name: v.Name, Value: v.Current, Unit: v.Unit, State: state})
	}
	return out
}

// counts for the tab badges.
func (d *sourceData) metricProblems() (warn, crit int) {
	for _, id := range d.order[sources.KindMetric] {
		if v, ok := d.snaps[id].Value.(metric.Value); ok {
			switch v.State {
			case metric.Warn:
				warn++
			case metric.Crit:
				crit++
			}
		}
	}
	return warn, crit
}

func (d *sourceData) healthProblems() (degraded, down int) {
	for _, id := range d.order[sources.KindHealth] {
		if r, ok := d.snaps[id].Value.(health.Result); ok {
			switch r.State {
			case health.Degraded:
				degraded++
			case health.Down:
				down++
			}
		}
	}
	return degraded, down
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
