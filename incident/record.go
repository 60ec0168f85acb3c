package incident

import (
	"fmt"
	"sort"
	"time"
)

// Record is an incident as computed from its journal: what views and
// exports show. Build it with NewRecord; it never changes the journal.
type Record struct {
	ID        string
	Title     string
	Severity  int
	Commander string
	Opened    time.Time
	// Start is when impact began: the opened time, or an earlier `started`
	// milestone when one was back-filled.
	Start      time.Time
	Milestones Milestones
	// Timeline is every kept entry sorted by time (append order breaks
	// ties), with redacted entries removed.
	Timeline []Entry
	// Redacted maps a redacted seq to the reason.
	Redacted map[int64]string
	Last     int64 // highest seq seen

	started time.Time // earliest `started` entry
}

// Milestones holds the first entry of each milestone kind.
type Milestones struct {
	Detected, Identified, Mitigated, Resolved *Entry
}

// Phase is where the incident is in its life cycle.
func (r *Record) Phase() string {
	switch m := r.Milestones; {
	case m.Resolved != nil:
		return "resolved"
	case m.Mitigated != nil:
		return "mitigated"
	case m.Identified != nil:
		return "identified"
	case m.Detected != nil:
		return "detected"
	}
	return "investigating"
}

// Durations from the start to each milestone; zero when not reached.
type Durations struct {
	ToDetect, ToIdentify, ToMitigate, ToResolve time.Duration
}

// Durations computes time-to-detect/identify/mitigate/resolve.
func (r *Record) Durations() Durations {
	since := func(e *Entry) time.Duration {
		if e == nil || r.Start.IsZero() {
			return 0
		}
		return e.At.Sub(r.Start)
	}
	m := r.Milestones
	return Durations{since(m.Detected), since(m.Identified), since(m.Mitigated), since(m.Resolved)}
}

// NewRecord builds the record from entries in journal (append) order.
func NewRecord(entries []Entry) *Record {
	r := &Record{Redacted: map[int64]string{}}
	// Redactions first, so a redacted entry never enters the timeline.
	for _, e := range entries {
		if e.Kind == KindRedact {
			var d RedactData
			if e.Decode(&d) == nil {
				r.Redacted[d.Seq] = d.Reason
			}
		}
	}
	for _, e := range entries {
		r.Add(e)
	}
	return r
}

// Add folds one more entry into the record, as a live view does when
// another process appends. Appending at the end is O(1); a back-filled
// entry is inserted at its place in time.
func (r *Record) Add(e Entry) {
	if r.Redacted == nil {
		r.Redacted = map[int64]string{}
	}
	r.Last = max(r.Last, e.Seq)
	if e.Kind == KindRedact {
		var d RedactData
		if e.Decode(&d) == nil {
			r.Redacted[d.Seq] = d.Reason
			r.remove(d.Seq)
		}
	}
	if _, gone := r.Redacted[e.Seq]; gone {
		return
	}
	r.apply(e)
	e.Prev = "" // the chain is checked by Verify; views need not hold 64 bytes per entry
	i := len(r.Timeline)
	if i > 0 && before(e, r.Timeline[i-1]) {
		i = sort.Search(len(r.Timeline), func(k int) bool { return before(e, r.Timeline[k]) })
	}
	r.Timeline = append(r.Timeline, Entry{})
	copy(r.Timeline[i+1:], r.Timeline[i:])
	r.Timeline[i] = e
	r.noteMilestone(e)
}

// before orders entries by time, then by append order.
func before(a, b Entry) bool {
	if !a.At.Equal(b.At) {
		return a.At.Before(b.At)
	}
	return a.Seq < b.Seq
}

// remove takes a redacted entry out of the timeline and recomputes what
// it may have contributed (rare: a linear pass is fine).
func (r *Record) remove(seq int64) {
	for i := range r.Timeline {
		if r.Timeline[i].Seq == seq {
			r.Timeline = append(r.Timeline[:i], r.Timeline[i+1:]...)
			r.Milestones, r.started = Milestones{}, time.Time{}
			for _, e := range r.Timeline {
				r.noteMilestone(e)
			}
			return
		}
	}
}

// noteMilestone keeps the earliest entry of each milestone kind by time,
// not by append order: a back-filled "detected 13:50" beats one logged live
// at 14:10. Start is the opened time or an earlier `started` entry.
func (r *Record) noteMilestone(e Entry) {
	if e.Kind == KindStarted && (r.started.IsZero() || e.At.Before(r.started)) {
		r.started = e.At
	}
	r.Start = r.Opened
	if !r.started.IsZero() && (r.Start.IsZero() || r.started.Before(r.Start)) {
		r.Start = r.started
	}
	var slot **Entry
	switch e.Kind {
	case KindDetected:
		slot = &r.Milestones.Detected
	case KindIdentified:
		slot = &r.Milestones.Identified
	case KindMitigated:
		slot = &r.Milestones.Mitigated
	case KindResolved:
		slot = &r.Milestones.Resolved
	default:
		return
	}
	if *slot == nil || before(e, **slot) {
		c := e
		*slot = &c
	}
}

// apply folds one entry's effect on the incident's current state.
func (r *Record) apply(e Entry) {
	switch e.Kind {
	case KindOpened:
		var d OpenedData
		if e.Decode(&d) == nil {
			r.ID, r.Title, r.Severity = d.ID, d.Title, d.Severity
		}
		if r.Title == "" {
			r.Title = e.Text
		}
		r.Opened = e.At
		if r.Commander == "" {
			r.Commander = e.Author
		}
	case KindSeverity:
		var d SeverityData
		if e.Decode(&d) == nil && d.To > 0 {
			r.Severity = d.To
		}
	case KindRole:
		var d RoleData
		if e.Decode(&d) == nil && d.Role == "commander" && d.Person != "" {
			r.Commander = d.Person
		}
	}
}

// SortByTime orders entries by At, keeping append order for equal times.
func SortByTime(es []Entry) {
	sort.SliceStable(es, func(i, j int) bool {
		if !es[i].At.Equal(es[j].At) {
			return es[i].At.Before(es[j].At)
		}
		return es[i].Seq < es[j].Seq
	})
}

// FormatDuration renders a duration the way a commander reads it: "45s",
// "27m", "2h 05m", "1d 03h".
func FormatDuration(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		s = fmt.Sprintf("%dh %02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		s = fmt.Sprintf("%dd %02dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	}
	if neg {
		return "-" + s
	}
	return s
}
