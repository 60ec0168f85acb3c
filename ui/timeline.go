package ui

import (
	"strings"

	"github.com/sitrep-dev/sitrep/incident"
)

// timelineView is the timeline pane's window onto the record: all entries,
// or the indices of those matching the filter. Filtering is one pass when
// the filter changes, then incremental; drawing touches only visible rows.
type timelineView struct {
	// events caches incident.Describe per seq: it decodes the entry's
	// JSON data, and the same rows are drawn every second.
	events  map[int64]string
	filter  string
	matches []int // indices into Record.Timeline; nil when no filter
	seen    int   // how many timeline entries matches reflects
}

func (t *timelineView) count(r *incident.Record) int {
	if t.filter == "" {
		return len(r.Timeline)
	}
	t.catchUp(r)
	return len(t.matches)
}

func (t *timelineView) index(i int) int {
	if t.filter == "" {
		return i
	}
	return t.matches[i]
}

func (t *timelineView) setFilter(f string, r *incident.Record) {
	t.filter = strings.TrimSpace(f)
	t.refilter(r)
}

// refilter recomputes the matches from scratch (new filter, or entries
// inserted in the middle by a back-filled time).
func (t *timelineView) refilter(r *incident.Record) {
	t.matches, t.seen = nil, 0
	if t.filter != "" {
		t.matches = []int{}
		t.catchUp(r)
	}
}

// catchUp extends the matches over entries appended since the last call.
// Record.Add inserts back-filled entries in the middle, which shifts
// indices; onEntries calls refilter in that case.
func (t *timelineView) catchUp(r *incident.Record) {
	needle := strings.ToLower(t.filter)
	for ; t.seen < len(r.Timeline); t.seen++ {
		e := r.Timeline[t.seen]
		hay := strings.ToLower(string(e.Kind) + " " + incident.Describe(e) + " " + e.Author)
		if strings.Contains(hay, needle) {
			t.matches = append(t.matches, t.seen)
		}
	}
}

// event is the entry's one-line description, computed once.
func (t *timelineView) event(e incident.Entry) string {
	if s, ok := t.events[e.Seq]; ok {
		return s
	}
	if t.events == nil {
		t.events = map[int64]string{}
	}
	s := incident.Describe(e)
	t.events[e.Seq] = s
	return s
}
