package commands

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/commands/publish"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// Preview is an update exactly as it will go out, and where.
type Preview struct {
	UpdateID string
	DraftSeq int64
	Data     incident.StatusData
	Markdown string // RenderUpdate
	Plain    string // RenderPlain
	Chars    int    // characters in the body
	Targets  []PlannedTarget
}

// PlannedTarget is what one target will do with the update.
type PlannedTarget struct {
	Name, Provider, Action string
	Problem                string // why it cannot publish (Check failed); "" when fine
}

// String is the preview as the CLI prints it and the dashboard shows it.
func (p Preview) String() string {
	var b strings.Builder
	b.WriteString(p.Markdown)
	fmt.Fprintf(&b, "\n— %d characters · update %s\n", p.Chars, p.UpdateID)
	for _, t := range p.Targets {
		if t.Problem != "" {
			fmt.Fprintf(&b, "  ✗ %s (%s): %s\n", t.Name, t.Provider, t.Problem)
			continue
		}
		fmt.Fprintf(&b, "  → %s (%s): %s\n", t.Name, t.Provider, t.Action)
	}
	return b.String()
}

// problems lists "target: why" for each target that cannot publish.
func (p Preview) problems() []string {
	var out []string
	for _, t := range p.Targets {
		if t.Problem != "" {
			out = append(out, t.Name+": "+t.Problem)
		}
	}
	return out
}

// PreviewStatus shows the latest draft as it would be published now.
func PreviewStatus(j *incident.Journal, targets []publish.Target, now time.Time) (Preview, error) {
	entries, err := j.Load()
	if err != nil {
		return Preview{}, err
	}
	l := ReadStatus(entries)
	u, targets, err := awaiting(l, targets)
	if err != nil {
		return Preview{}, err
	}
	p, _ := plan(entries, l, u, targets, now)
	return p, nil
}

// awaiting is the update Publish would send and the targets it would go
// to: the latest update, to each target without a result for it yet.
func awaiting(l *StatusLog, all []publish.Target) (*StatusUpdate, []publish.Target, error) {
	u := l.Latest()
	if u == nil {
		return nil, nil, ErrNothingToPublish
	}
	if len(all) == 0 {
		return nil, nil, errors.New("no status targets configured: add a `status:` list to the config (statuspage, github, webhook or file)")
	}
	targets := unpublished(u, all)
	if len(targets) == 0 {
		if len(u.Failed()) > 0 {
			return nil, nil, fmt.Errorf("update %s was already published, except to %s: run `sitrep status retry`", u.ID, strings.Join(u.Failed(), ", "))
		}
		return nil, nil, fmt.Errorf("update %s is already published to every target; %w", u.ID, ErrNothingToPublish)
	}
	return u, targets, nil
}

// unpublished are the targets that have no result for u yet: all of them
// for a fresh draft; after a crash mid-publish, the ones never answered.
func unpublished(u *StatusUpdate, targets []publish.Target) []publish.Target {
	var out []publish.Target
	for _, t := range targets {
		if _, done := u.Results[t.Name()]; !done {
			out = append(out, t)
		}
	}
	return out
}

// plan builds the preview and each target's Update for u.
func plan(entries []incident.Entry, l *StatusLog, u *StatusUpdate, targets []publish.Target, now time.Time) (Preview, map[string]publish.Update) {
	rec := incident.NewRecord(entries)
	p := Preview{
		UpdateID: u.ID, DraftSeq: u.DraftSeq, Data: u.Draft,
		Markdown: RenderUpdate(u.Draft), Plain: RenderPlain(u.Draft), Chars: Chars(u.Draft),
	}
	ups := map[string]publish.Update{}
	for _, t := range targets {
		pu := publish.Update{
			Data: u.Draft, Markdown: p.Markdown, Plain: p.Plain,
			IncidentID: rec.ID, IncidentTitle: sanitize.Line(rec.Title),
			Ref: l.Ref(t.Name()), At: now,
		}
		ups[t.Name()] = pu
		pt := PlannedTarget{Name: t.Name(), Provider: t.Provider(), Action: t.Describe(pu)}
		if err := t.Check(pu); err != nil {
			pt.Problem = err.Error()
		}
		p.Targets = append(p.Targets, pt)
	}
	return p, ups
}
