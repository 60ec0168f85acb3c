package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// TimelineLine formats one entry for the terminal: time, seq, kind, author,
// event. Automatic entries are marked with "·".
func TimelineLine(e incident.Entry) string {
	mark := " "
	if e.Auto {
		mark = "·"
	}
	return fmt.Sprintf("%s %5d %s %-10s %s  — %s", e.At.UTC().Format("2006-01-02 15:04:05Z"), e.Seq, mark, e.Kind,
		incident.Describe(e), sanitize.Line(e.Author))
}

// jsonEntry is the --json form of a timeline entry: the journal entry with
// the rendered event added, strings sanitized.
type jsonEntry struct {
	Seq    int64           `json:"seq"`
	At     time.Time       `json:"at"`
	Author string          `json:"author"`
	Kind   incident.Kind   `json:"kind"`
	Text   string          `json:"text"`
	Event  string          `json:"event"`
	Auto   bool            `json:"auto,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
}

func writeEntry(w io.Writer, e incident.Entry, asJSON bool) error {
	if !asJSON {
		_, err := fmt.Fprintln(w, TimelineLine(e))
		return err
	}
	b, err := json.Marshal(jsonEntry{
		Seq: e.Seq, At: e.At, Author: sanitize.Line(e.Author), Kind: e.Kind,
		Text: sanitize.Text(e.Text), Event: incident.Describe(e), Auto: e.Auto, Data: e.Data,
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// Timeline prints the incident's timeline sorted by time with redacted
// entries left out. With follow, it then prints entries as they are
// appended by any process, until ctx ends.
func Timeline(ctx context.Context, j *incident.Journal, w io.Writer, asJSON, follow bool) error {
	entries, err := j.Load()
	if err != nil {
		return err
	}
	rec := incident.NewRecord(entries)
	for _, e := range rec.Timeline {
		if err := writeEntry(w, e, asJSON); err != nil {
			return err
		}
	}
	if !follow {
		return nil
	}
	last := rec.Last
	err = j.Follow(ctx, incident.FollowInterval, func(batch []incident.Entry) {
		for _, e := range batch {
			if e.Seq <= last {
				continue
			}
			last = e.Seq
			_ = writeEntry(w, e, asJSON)
		}
	})
	if ctx.Err() != nil {
		return nil
	}
	return err
}
