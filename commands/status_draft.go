package commands

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// DraftOptions is a status update as the commander wrote it.
type DraftOptions struct {
	State      string
	Impact     string // "" leaves the status page's computed impact alone
	Title      string // the public name of the incident, used by the first publish
	Body       string
	Components []incident.ComponentStatus
	// Force allows a state before the one customers last saw.
	Force  bool
	Author string
	At     time.Time // zero means now
}

// Draft journals a draft. While the latest update has not been published
// anywhere, a new draft replaces it (same update id: the editor's ctrl+s);
// once it has, a draft starts the next update. The journal entry is
// written before Draft returns, so a crash never loses a saved draft.
//
// A resolved update that names no components sets every component the
// last published update named to operational, so the page does not stay
// red after the incident is over; the preview shows it.
func Draft(j *incident.Journal, o DraftOptions) (incident.Entry, incident.StatusData, error) {
	d := incident.StatusData{
		Phase:      PhaseDraft,
		State:      strings.ToLower(strings.TrimSpace(o.State)),
		Impact:     strings.ToLower(strings.TrimSpace(o.Impact)),
		Title:      strings.TrimSpace(sanitize.Line(o.Title)),
		Body:       strings.TrimSpace(sanitize.Text(o.Body)),
		Components: cleanComponents(o.Components),
	}
	if err := ValidateUpdate(d); err != nil {
		return incident.Entry{}, d, err
	}
	// Under the publish lock, so a draft being published is not edited
	// underneath it (what customers saw must match the journal).
	var e incident.Entry
	err := lockStatus(j, draftPatience, func() error {
		entries, err := j.Load()
		if err != nil {
			return err
		}
		l := ReadStatus(entries)
		if from, back := backwards(l, d.State); back && !o.Force {
			return &BackwardsError{From: from, To: d.State}
		}
		if d.State == "resolved" && len(d.Components) == 0 {
			if last := l.LastPublished(); last != nil {
				for _, c := range last.Draft.Components {
					d.Components = append(d.Components, incident.ComponentStatus{Name: c.Name, Status: "operational"})
				}
			}
		}
		if u := l.OpenDraft(); u != nil {
			d.UpdateID = u.ID
		} else if d.UpdateID, err = newUpdateID(); err != nil {
			return err
		}
		e, err = j.Append(incident.Draft{
			At: o.At, Author: authorOr(o.Author), Kind: incident.KindStatus,
			Text: fmt.Sprintf("status draft (%s): %s", d.State, statusFirstLine(d.Body)),
			Data: d,
		})
		return err
	})
	return e, d, err
}

// draftPatience is how long saving a draft waits for a publish in another
// session to finish before saying so.
var draftPatience = 2 * time.Second

func cleanComponents(cs []incident.ComponentStatus) []incident.ComponentStatus {
	if len(cs) == 0 {
		return nil
	}
	out := make([]incident.ComponentStatus, len(cs))
	for i, c := range cs {
		out[i] = incident.ComponentStatus{
			Name:   strings.TrimSpace(sanitize.Line(c.Name)),
			Status: strings.ToLower(strings.TrimSpace(c.Status)),
		}
	}
	return out
}

// newUpdateID ties a draft to its publish results; random so two sessions
// drafting at once never collide.
func newUpdateID() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("cannot make an update id: %w", err)
	}
	return "u-" + hex.EncodeToString(b[:]), nil
}

func statusFirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return s
}

// authorOr is who acts: the given name, else the environment's user@host,
// so an entry never lacks an author.
func authorOr(name string) string {
	if name != "" {
		return name
	}
	return incident.Author()
}
