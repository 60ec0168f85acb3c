package commands

import (
	"time"

	"github.com/sitrep-dev/sitrep/incident"
)

// StatusLog is every status update of an incident as its journal tells
// it. It is rebuilt from the journal each time, so a process that starts
// after a crash (or another commander's session) sees the same drafts,
// results and queued retries.
type StatusLog struct {
	// Updates in the order they were first drafted.
	Updates []*StatusUpdate
	byID    map[string]*StatusUpdate
	// refs holds each target's first published ref (the Statuspage
	// incident id, the tracking issue number): later updates continue it.
	refs map[string]string
}

// StatusUpdate is one update: its latest draft and its latest result per
// target.
type StatusUpdate struct {
	ID          string
	Draft       incident.StatusData // the latest draft; later edits replace it
	DraftSeq    int64
	DraftedAt   time.Time
	DraftAuthor string
	Results     map[string]TargetResult // by target name: the latest attempt
	Targets     []string                // target names in the order of their first result
}

// TargetResult is the latest publish attempt of one update to one target.
type TargetResult struct {
	Target string
	Phase  string // published | failed
	Ref    string
	Error  string
	Seq    int64
	At     time.Time
}

// ReadStatus rebuilds the status log from journal entries in append order.
// Redacted entries are left out.
func ReadStatus(entries []incident.Entry) *StatusLog {
	l := &StatusLog{byID: map[string]*StatusUpdate{}, refs: map[string]string{}}
	redacted := map[int64]bool{}
	for _, e := range entries {
		var r incident.RedactData
		if e.Kind == incident.KindRedact && e.Decode(&r) == nil {
			redacted[r.Seq] = true
		}
	}
	for _, e := range entries {
		if e.Kind != incident.KindStatus || redacted[e.Seq] {
			continue
		}
		var d incident.StatusData
		if e.Decode(&d) != nil || d.UpdateID == "" {
			continue
		}
		u := l.byID[d.UpdateID]
		switch d.Phase {
		case PhaseDraft:
			if u == nil {
				u = &StatusUpdate{ID: d.UpdateID, Results: map[string]TargetResult{}}
				l.byID[d.UpdateID] = u
				l.Updates = append(l.Updates, u)
			}
			u.Draft, u.DraftSeq, u.DraftedAt, u.DraftAuthor = d, e.Seq, e.At, e.Author
		case PhasePublished, PhaseFailed:
			if u == nil || d.Target == "" {
				continue // a result without its draft: nothing to retry from
			}
			if _, ok := u.Results[d.Target]; !ok {
				u.Targets = append(u.Targets, d.Target)
			}
			u.Results[d.Target] = TargetResult{Target: d.Target, Phase: d.Phase, Ref: d.TargetRef, Error: d.Error, Seq: e.Seq, At: e.At}
			if d.Phase == PhasePublished && d.TargetRef != "" && l.refs[d.Target] == "" {
				l.refs[d.Target] = d.TargetRef
			}
		}
	}
	return l
}

// Ref is the target's reference from its first successful publish, "" if
// nothing was published to it yet.
func (l *StatusLog) Ref(target string) string { return l.refs[target] }

// Update returns the update with id, or nil.
func (l *StatusLog) Update(id string) *StatusUpdate { return l.byID[id] }

// Latest is the most recently started update, or nil.
func (l *StatusLog) Latest() *StatusUpdate {
	if len(l.Updates) == 0 {
		return nil
	}
	return l.Updates[len(l.Updates)-1]
}

// OpenDraft is the latest update when nothing of it was published or
// attempted yet: the draft a new `status draft` edits in place.
func (l *StatusLog) OpenDraft() *StatusUpdate {
	if u := l.Latest(); u != nil && len(u.Results) == 0 {
		return u
	}
	return nil
}

// LastPublished is the latest update published to at least one target.
func (l *StatusLog) LastPublished() *StatusUpdate {
	for i := len(l.Updates) - 1; i >= 0; i-- {
		if l.Updates[i].Published() {
			return l.Updates[i]
		}
	}
	return nil
}

// Published reports whether any target published the update.
func (u *StatusUpdate) Published() bool {
	for _, r := range u.Results {
		if r.Phase == PhasePublished {
			return true
		}
	}
	return false
}

// Failed lists the targets whose latest attempt failed, in first-result order.
func (u *StatusUpdate) Failed() []string {
	var out []string
	for _, t := range u.Targets {
		if u.Results[t].Phase == PhaseFailed {
			out = append(out, t)
		}
	}
	return out
}

// SupersededOn reports whether a later update was published to target:
// then retrying this one there would show customers older news after newer.
func (l *StatusLog) SupersededOn(u *StatusUpdate, target string) *StatusUpdate {
	after := false
	for _, v := range l.Updates {
		if v == u {
			after = true
			continue
		}
		if after && v.Results[target].Phase == PhasePublished {
			return v
		}
	}
	return nil
}

// Queued lists, per target, the updates whose latest attempt there failed
// and that no later update superseded, oldest first: what `status retry`
// publishes.
func (l *StatusLog) Queued() map[string][]*StatusUpdate {
	q := map[string][]*StatusUpdate{}
	for _, u := range l.Updates {
		for _, t := range u.Failed() {
			if l.SupersededOn(u, t) == nil {
				q[t] = append(q[t], u)
			}
		}
	}
	return q
}
