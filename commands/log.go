package commands

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
)

// Open starts a new incident and makes it current.
func Open(s incident.Store, title string, severity int, author string) (*incident.Journal, incident.Entry, error) {
	return s.Create(title, severity, author, time.Time{})
}

// LogOptions is one timeline entry a person writes.
type LogOptions struct {
	Kind   incident.Kind // default note
	At     string        // "" (now), RFC3339, or HH:MM[:SS] UTC for back-filled entries
	Text   string
	Author string
	Now    time.Time // for tests; zero means time.Now
}

// Log validates and appends one entry written by a person.
func Log(j *incident.Journal, o LogOptions) (incident.Entry, error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	kind := o.Kind
	if kind == "" {
		kind = incident.KindNote
	}
	if !loggable(kind) {
		return incident.Entry{}, fmt.Errorf("kind %q cannot be logged by hand; use one of: %s", kind, kindList())
	}
	text := strings.TrimSpace(o.Text)
	if text == "" {
		return incident.Entry{}, errors.New("the entry text is empty: say what happened, e.g. sitrep log \"rolled back deploy 142\"")
	}
	at := time.Time{}
	if o.At != "" {
		t, err := ParseAt(o.At, now)
		if err != nil {
			return incident.Entry{}, err
		}
		at = t
	}
	d := incident.Draft{At: at, Author: o.Author, Kind: kind, Text: text}
	switch kind {
	case incident.KindSeverity:
		to, err := parseSeverity(text)
		if err != nil {
			return incident.Entry{}, err
		}
		entries, err := j.Load()
		if err != nil {
			return incident.Entry{}, err
		}
		d.Data = incident.SeverityData{From: incident.NewRecord(entries).Severity, To: to}
	case incident.KindRole:
		role, person, ok := strings.Cut(text, " ")
		person = strings.TrimSpace(person)
		if !ok || person == "" {
			return incident.Entry{}, errors.New(`a role entry is "ROLE PERSON", e.g. sitrep log --kind role "commander alice"`)
		}
		d.Data = incident.RoleData{Role: strings.ToLower(role), Person: person}
	case incident.KindAction:
		d.Data = incident.ActionData{Owner: ownerOf(text)}
	}
	return j.Append(d)
}

// ParseAt reads a time for a back-filled entry: RFC3339, or HH:MM[:SS]
// meaning today in UTC. A clock time later than now means yesterday (an
// incident that crossed midnight UTC); a full timestamp in the future is an
// error, since nothing can be back-filled from the future.
func ParseAt(s string, now time.Time) (time.Time, error) {
	now = now.UTC()
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.After(now.Add(time.Minute)) {
				return time.Time{}, fmt.Errorf("--at %s is in the future (now is %s UTC)", s, now.Format("2006-01-02 15:04"))
			}
			return t.UTC(), nil
		}
	}
	for _, layout := range []string{"15:04", "15:04:05"} {
		if c, err := time.Parse(layout, s); err == nil {
			t := time.Date(now.Year(), now.Month(), now.Day(), c.Hour(), c.Minute(), c.Second(), 0, time.UTC)
			if t.After(now.Add(time.Minute)) {
				t = t.AddDate(0, 0, -1)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--at %q is not a time: use HH:MM (UTC, today) or RFC3339 like 2026-05-11T05:45:00Z", s)
}

func parseSeverity(text string) (int, error) {
	f := strings.Fields(text)
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(f[0]), "SEV"))
	if err != nil || n < 1 || n > 5 {
		return 0, fmt.Errorf("a severity entry starts with the new level 1-5, e.g. sitrep log --kind severity \"1 customer data at risk\" (got %q)", f[0])
	}
	return n, nil
}

// ownerOf finds an "@name" in an action's text.
func ownerOf(text string) string {
	for _, w := range strings.Fields(text) {
		if len(w) > 1 && w[0] == '@' {
			return strings.TrimRight(w[1:], ".,;:)")
		}
	}
	return ""
}

func loggable(k incident.Kind) bool {
	for _, l := range incident.LoggableKinds {
		if l == k {
			return true
		}
	}
	return false
}

func kindList() string {
	s := make([]string, len(incident.LoggableKinds))
	for i, k := range incident.LoggableKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Redact hides an entry from views and exports. The entry stays in the
// file, so the hash chain still verifies; the redaction is itself recorded.
func Redact(j *incident.Journal, seq int64, reason, author string) (incident.Entry, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return incident.Entry{}, errors.New("say why with --reason (it is kept in the journal)")
	}
	entries, err := j.Load()
	if err != nil {
		return incident.Entry{}, err
	}
	var target *incident.Entry
	for i := range entries {
		if entries[i].Seq == seq {
			target = &entries[i]
		}
		if entries[i].Kind == incident.KindRedact {
			var d incident.RedactData
			if entries[i].Decode(&d) == nil && d.Seq == seq {
				return incident.Entry{}, fmt.Errorf("entry %d is already redacted (by entry %d)", seq, entries[i].Seq)
			}
		}
	}
	switch {
	case target == nil:
		return incident.Entry{}, fmt.Errorf("no entry %d in incident %s (it has %d entries)", seq, j.ID(), len(entries))
	case target.Kind == incident.KindOpened:
		return incident.Entry{}, errors.New("the opening entry cannot be redacted: it names the incident")
	case target.Kind == incident.KindRedact:
		return incident.Entry{}, errors.New("a redaction cannot be redacted")
	}
	return j.Append(incident.Draft{
		Author: author, Kind: incident.KindRedact,
		Text: fmt.Sprintf("redacted entry %d", seq),
		Data: incident.RedactData{Seq: seq, Reason: reason},
	})
}
