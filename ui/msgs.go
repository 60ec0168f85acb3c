package ui

import (
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
)

// Messages. Every async result carries what it answers, so a late reply
// can be recognised; none of them does I/O when handled.

// entriesMsg is a batch of journal entries (the first is the whole journal).
type entriesMsg struct {
	entries []incident.Entry
	err     error
}

// snapshotsMsg is a batch of source snapshots, drained from the scheduler.
type snapshotsMsg []sources.Snapshot

// tickMsg drives the clock, elapsed time and ages once a second.
type tickMsg time.Time

// loggedMsg answers a note or milestone the commander wrote.
type loggedMsg struct {
	kind incident.Kind
	seq  int64
	err  error
}

// toastMsg clears the footer's result line when its generation is current.
type toastMsg struct{ gen int }

// exportedMsg answers `e`.
type exportedMsg struct {
	path    string
	err     error
	warning error // the export was written without something (GitHub unreachable)
}

// peekedMsg is a provisional record from the journal's first and newest
// entries, shown until loadedMsg replaces it.
type peekedMsg struct{ rec *incident.Record }

// loadedMsg is the record of the whole journal, built off the loop.
type loadedMsg struct {
	rec *incident.Record
	err error
}
