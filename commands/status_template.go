package commands

import (
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// DefaultTemplates are the first drafts when the config has no
// status_templates for a state: plain wording customers understand, with
// the affected components when the last update named them.
var DefaultTemplates = config.StatusTemplates{
	"investigating": "We are investigating {{if .Components}}issues affecting {{.Components}}{{else}}an issue affecting our service{{end}}. We will post an update as soon as we know more.",
	"identified":    "The issue has been identified and a fix is being implemented.{{if .Components}} Affected: {{.Components}}.{{end}}",
	"monitoring":    "A fix has been implemented and we are monitoring the results.",
	"resolved":      "This incident has been resolved.",
}

// StatusFields computes what a status template can use from the journal,
// at now.
func StatusFields(entries []incident.Entry, state string, now time.Time) config.StatusFields {
	rec := incident.NewRecord(entries)
	f := config.StatusFields{
		ID:       rec.ID,
		Title:    sanitize.Line(rec.Title),
		Severity: rec.Severity,
		State:    state,
	}
	if !rec.Start.IsZero() {
		f.Started = rec.Start.UTC().Format("2006-01-02 15:04 UTC")
		f.Elapsed = incident.FormatDuration(now.Sub(rec.Start))
	}
	for i := len(rec.Timeline) - 1; i >= 0; i-- {
		if e := rec.Timeline[i]; e.Kind == incident.KindNote {
			f.LastNote = sanitize.Line(e.Text)
			break
		}
	}
	if u := ReadStatus(entries).Latest(); u != nil {
		parts := make([]string, 0, len(u.Draft.Components))
		for _, c := range u.Draft.Components {
			parts = append(parts, fmt.Sprintf("%s (%s)", sanitize.Line(c.Name), strings.ToLower(ComponentLabel(c.Status))))
		}
		f.Components = strings.Join(parts, ", ")
	}
	return f
}

// Template renders the first draft of an update in state: the configured
// template for that state, else the built-in one.
func Template(tpls config.StatusTemplates, entries []incident.Entry, state string, now time.Time) (string, error) {
	if stateRank(state) < 0 {
		return "", fmt.Errorf("state %q is not one of: %s", sanitize.Line(state), strings.Join(States, ", "))
	}
	text, ok := tpls[state]
	if !ok {
		text = DefaultTemplates[state]
	}
	t, err := template.New(state).Parse(text)
	if err != nil {
		return "", fmt.Errorf("status_templates.%s: %v", state, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, StatusFields(entries, state, now)); err != nil {
		return "", fmt.Errorf("status_templates.%s: %v", state, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// NextState suggests the state of the next update: the one after the last
// published state, or further when the timeline's milestones are ahead
// (mitigated → monitoring, resolved → resolved).
func NextState(entries []incident.Entry) string {
	next := 0
	if u := ReadStatus(entries).LastPublished(); u != nil {
		next = min(stateRank(u.Draft.State)+1, len(States)-1)
	}
	m := incident.NewRecord(entries).Milestones
	switch {
	case m.Resolved != nil:
		next = max(next, stateRank("resolved"))
	case m.Mitigated != nil:
		next = max(next, stateRank("monitoring"))
	case m.Identified != nil:
		next = max(next, stateRank("identified"))
	}
	return States[next]
}

// BackwardsError is returned by Draft when the state goes back from what
// customers last saw (monitoring → investigating) without Force. State
// order is advisory: a relapse is real, so it is allowed, but only on
// purpose.
type BackwardsError struct{ From, To string }

func (e *BackwardsError) Error() string {
	return fmt.Sprintf("customers last saw %q; going back to %q needs confirmation (--force)", e.From, e.To)
}

// backwards reports the last published state when state is before it.
func backwards(l *StatusLog, state string) (string, bool) {
	u := l.LastPublished()
	if u == nil {
		return "", false
	}
	return u.Draft.State, stateRank(state) < stateRank(u.Draft.State)
}
