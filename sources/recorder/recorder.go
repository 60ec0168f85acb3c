// Package recorder writes what the sources see change into the current
// incident's journal, as automatic entries (Auto: true):
//
//   - health: a check going up ↔ degraded ↔ down (HealthData);
//   - alert: an alert starting to fire, and resolving (AlertData);
//   - metric: a metric crossing ok → warn → crit and back (MetricData);
//   - change: each deploy after the incident started, once (ChangeData).
//
// The good states (up, ok, not firing) are the baseline: a check seen up
// for the first time writes nothing; one first seen down writes up → down.
// Only successful polls count; a failing source's stale value changes nothing.
//
// Hysteresis: per check, metric or alert, at most one entry per MinGap
// (one minute by default). A change inside the gap is held back; when the
// gap has passed, one entry goes from the last journaled state to the
// state then current — or none, if it flapped back. So a value flapping
// every few seconds writes at most one entry a minute and the journal
// always ends in the true state.
//
// Exactly one process records per incident: the one holding an exclusive
// flock on recorder.lock in the incident folder. Others retry every second
// and take over when the holder exits; on taking over they rebuild their
// memory from the journal, so no transition is written twice.
package recorder

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/alerts"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/metric"
)

// Options tune a Recorder; zero values take the defaults.
type Options struct {
	MinGap   time.Duration    // hysteresis gap per source (default 1 minute)
	Retry    time.Duration    // how often a standby tries the lock (default 1 s)
	Author   string           // author of the entries (default incident.Author())
	Now      func() time.Time // clock (default time.Now)
	OnError  func(error)      // told about journal errors (default: ignored)
	OnLeader func(bool)       // told when this process becomes or stops being the recorder
}

// Recorder journals transitions. Create with New, run with Run.
type Recorder struct {
	j    *incident.Journal
	opts Options

	lock   *os.File // held while recording
	known  *known
	latest map[string]sources.Snapshot // last successful snapshot per source
}

// New returns a recorder for the journal j.
func New(j *incident.Journal, opts Options) *Recorder {
	if opts.MinGap <= 0 {
		opts.MinGap = time.Minute
	}
	if opts.Retry <= 0 {
		opts.Retry = time.Second
	}
	if opts.Author == "" {
		opts.Author = incident.Author()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OnError == nil {
		opts.OnError = func(error) {}
	}
	return &Recorder{j: j, opts: opts, latest: map[string]sources.Snapshot{}}
}

// Run consumes snapshots until ctx is done or updates is closed. Feed it
// a Scheduler subscription (Scheduler.Subscribe): that channel coalesces
// per source, so a recorder waiting on a slow disk never blocks a poller.
// While another process records, Run keeps the latest snapshots and tries
// the lock every Retry.
func (r *Recorder) Run(ctx context.Context, updates <-chan sources.Snapshot) error {
	defer r.release()
	tick := time.NewTicker(min(r.opts.Retry, r.opts.MinGap))
	defer tick.Stop()
	r.tryTakeOver()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case s, ok := <-updates:
			if !ok {
				return nil
			}
			if s.Err != nil || s.Value == nil {
				continue
			}
			r.latest[s.ID] = s
			if r.lock != nil {
				r.observe(s)
			}
		case <-tick.C:
			if r.lock == nil {
				r.tryTakeOver()
			}
			if r.lock != nil {
				r.flush()
			}
		}
	}
}

// Leading reports whether this recorder holds the lock. For tests and the
// status line; only call it from the goroutine running Run or after it.
func (r *Recorder) Leading() bool { return r.lock != nil }

func (r *Recorder) tryTakeOver() {
	f, err := tryLock(r.j.Dir())
	if err != nil {
		r.opts.OnError(err)
		return
	}
	if f == nil {
		return
	}
	// Only the kinds the recorder writes (and the start) matter: decoding
	// just those keeps a takeover on a 100,000-entry journal cheap.
	entries, err := r.j.LoadKinds(incident.KindOpened, incident.KindStarted, incident.KindHealth,
		incident.KindMetric, incident.KindAlert, incident.KindChange)
	if err != nil {
		f.Close()
		r.opts.OnError(fmt.Errorf("recorder: load journal: %w", err))
		return
	}
	r.lock = f
	r.known = newKnown()
	r.known.load(entries)
	if r.opts.OnLeader != nil {
		r.opts.OnLeader(true)
	}
	// Whatever changed while nobody recorded (the previous holder died)
	// is compared against the journal now.
	for _, s := range r.latest {
		r.observe(s)
	}
}

func (r *Recorder) release() {
	if r.lock != nil {
		r.lock.Close()
		r.lock = nil
		if r.opts.OnLeader != nil {
			r.opts.OnLeader(false)
		}
	}
}

// observe folds one successful snapshot into the tracks.
func (r *Recorder) observe(s sources.Snapshot) {
	switch v := s.Value.(type) {
	case health.Result:
		r.see(healthKey(v.Name), string(v.State), string(health.Up), func(from string) incident.Draft {
			return incident.Draft{Kind: incident.KindHealth,
				Text: fmt.Sprintf("health %s: %s → %s%s", v.Name, from, v.State, suffix(v.Reason)),
				Data: incident.HealthData{Check: v.Name, From: from, To: string(v.State), Reason: v.Reason, LatencyMS: v.Latency.Milliseconds()}}
		})
	case metric.Value:
		if v.State == metric.Unknown {
			return
		}
		r.see(metricKey(v.Name), string(v.State), string(metric.OK), func(from string) incident.Draft {
			return incident.Draft{Kind: incident.KindMetric,
				Text: fmt.Sprintf("metric %s: %s → %s at %s", v.Name, from, v.State, format(v.Current, v.Unit)),
				Data: incident.MetricData{Name: v.Name, From: from, To: string(v.State), Value: v.Current, Unit: v.Unit}}
		})
	case []alerts.Alert:
		r.observeAlerts(v)
	case []incident.ChangeData:
		r.observeChanges(v)
	}
	r.flush()
}

const (
	firing   = "firing"
	resolved = "resolved"
)

func (r *Recorder) observeAlerts(list []alerts.Alert) {
	present := map[string]bool{}
	for _, a := range list {
		key := alertKey(a.Name, a.Labels)
		present[key] = true
		r.see(key, firing, resolved, func(string) incident.Draft { return alertDraft(a, firing) })
		r.known.tracks[key].alert = a
	}
	// Alerts journaled as firing and no longer listed have resolved.
	for key, t := range r.known.tracks {
		if !strings.HasPrefix(key, "alert/") || present[key] || t.seen == resolved {
			continue
		}
		last := t.alert
		r.see(key, resolved, resolved, func(string) incident.Draft { return alertDraft(last, resolved) })
	}
}

func alertDraft(a alerts.Alert, state string) incident.Draft {
	return incident.Draft{Kind: incident.KindAlert,
		Text: fmt.Sprintf("alert %s %s%s", a.Name, state, suffix(a.Summary)),
		Data: incident.AlertData{Name: a.Name, State: state, Severity: a.Severity, Summary: a.Summary, StartsAt: a.StartsAt, Labels: a.Labels}}
}

func (r *Recorder) observeChanges(list []incident.ChangeData) {
	for _, c := range list {
		if c.Kind != "deploy" || !c.At.After(r.known.start) {
			continue
		}
		key := changeKey(c)
		if r.known.changes[key] {
			continue
		}
		d := incident.Draft{Kind: incident.KindChange,
			Text: fmt.Sprintf("deploy %s %s%s", c.Repo, c.Ref, suffix(c.Title)), Data: c}
		if r.write(d) {
			r.known.changes[key] = true
		}
	}
}

// see notes the latest state of key; baseline is the state assumed before
// anything was journaled. draft builds the entry for a change from "from".
func (r *Recorder) see(key, state, baseline string, draft func(from string) incident.Draft) {
	t := r.known.tracks[key]
	if t == nil {
		t = &track{recorded: baseline, seen: baseline}
		r.known.tracks[key] = t
	}
	if state != t.seen {
		t.flaps++
	}
	t.seen = state
	if state == t.recorded {
		t.pending = nil // flapped back: nothing to say
		return
	}
	d := draft(t.recorded)
	t.pending = &d
}

// flush writes the pending entries whose hysteresis gap has passed.
func (r *Recorder) flush() {
	now := r.opts.Now()
	for _, t := range r.known.tracks {
		if t.pending == nil || (!t.recordedAt.IsZero() && now.Sub(t.recordedAt) < r.opts.MinGap) {
			continue
		}
		d := *t.pending
		if t.flaps > 1 && !t.recordedAt.IsZero() {
			d.Text += fmt.Sprintf(" (%d changes in %s, flapping)", t.flaps, now.Sub(t.recordedAt).Round(time.Second))
		}
		if !r.write(d) {
			continue // retried on the next flush
		}
		t.recorded, t.recordedAt, t.pending, t.flaps = t.seen, now, nil, 0
	}
}

func (r *Recorder) write(d incident.Draft) bool {
	d.Auto, d.Author, d.At = true, r.opts.Author, r.opts.Now().UTC()
	if _, err := r.j.Append(d); err != nil {
		r.opts.OnError(fmt.Errorf("recorder: journal %s: %w", d.Kind, err))
		return false
	}
	return true
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return " — " + s
}

func format(v float64, unit string) string {
	return fmt.Sprintf("%.4g%s", v, unit)
}
