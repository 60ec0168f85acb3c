package commands

import (
	"fmt"
	"strings"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// Show reads the incident's status updates from the journal.
func Show(j *incident.Journal) (*StatusLog, error) {
	entries, err := j.Load()
	if err != nil {
		return nil, err
	}
	return ReadStatus(entries), nil
}

// FormatStatus is the status log as `sitrep status show` prints it: each
// update with its per-target results, what is queued for retry, and the
// open draft rendered as it will be published.
func FormatStatus(l *StatusLog) string {
	if len(l.Updates) == 0 {
		return "No status updates yet. Draft one with `sitrep status draft --state investigating TEXT`.\n"
	}
	var b strings.Builder
	for _, u := range l.Updates {
		fmt.Fprintf(&b, "%s  %s  %-13s %s\n", u.DraftedAt.UTC().Format("15:04 UTC"), sanitize.Line(u.ID), sanitize.Line(u.Draft.State), sanitize.Line(statusFirstLine(u.Draft.Body)))
		if len(u.Results) == 0 {
			b.WriteString("    draft, not published yet (`sitrep status publish`)\n")
			continue
		}
		for _, t := range u.Targets {
			r := u.Results[t]
			switch {
			case r.Phase == PhasePublished:
				fmt.Fprintf(&b, "    ✓ %s  %s", sanitize.Line(t), r.At.UTC().Format("15:04:05"))
				if r.Ref != "" {
					fmt.Fprintf(&b, "  ref %s", sanitize.Line(r.Ref))
				}
				b.WriteString("\n")
			case l.SupersededOn(u, t) != nil:
				fmt.Fprintf(&b, "    ✗ %s  failed, superseded by %s: %s\n", sanitize.Line(t), l.SupersededOn(u, t).ID, sanitize.Line(r.Error))
			default:
				fmt.Fprintf(&b, "    ✗ %s  FAILED, queued for `sitrep status retry`: %s\n", sanitize.Line(t), sanitize.Line(r.Error))
			}
		}
	}
	if u := l.OpenDraft(); u != nil {
		fmt.Fprintf(&b, "\nDraft %s, as it will be published (%d characters):\n\n%s", u.ID, Chars(u.Draft), RenderUpdate(u.Draft))
	}
	return b.String()
}
