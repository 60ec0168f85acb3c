package commands

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
	"github.com/sitrep-dev/sitrep/sources/flags"
)

// The kill switch, the same code behind the dashboard's K and
// `sitrep flag off NAME`:
//
//	pv, err := sw.Preview(ctx, FlagRequest{Name: "checkout/async-updates", Action: "off", Reason: "DB overloaded"})
//	// show pv.Lines(); the caller confirms (ConfirmFlag: the typed key must equal pv.Key)
//	out, err := sw.Apply(ctx, pv, evidence) // apply, verify, journal — in that order
//
// Apply refuses if the flag changed since the preview, reads the flag back
// (and asks the OFREP endpoint when configured) until the new state shows
// or a deadline passes, and journals a `flag` entry — also for a failed
// attempt — before it returns.

// Flag actions.
const (
	FlagOff     = "off"
	FlagOn      = "on"
	FlagRestore = "restore"
)

// FlagSwitch acts on the configured flag providers.
type FlagSwitch struct {
	Providers []flags.Provider
	// Journal records every change. Nil allows only List and previews.
	Journal *incident.Journal
	Author  string
	// ApplyTimeout bounds one change request (default 10s).
	ApplyTimeout time.Duration
	// ReadbackDeadline bounds reading the flag back until the change shows
	// (default 10s); the OFREP check has its own deadline from the config.
	ReadbackDeadline time.Duration
	// Every is the pause between read-backs (default 100ms).
	Every time.Duration
	// Progress, when set, is told each step ("applying", "verifying") so
	// the dashboard can show where a slow change is.
	Progress func(step string)
	Now      func() time.Time
}

// FlagRequest is what the commander asked for.
type FlagRequest struct {
	Name          string // flag key, or source/key
	Provider      string // optional: the configured provider's name
	Action        string // off | on | restore
	Reason        string
	DropTargeting bool // file flags: also remove targeting (restored by `flag restore`)
}

// FlagPreview is a change worked out and not yet made: what the
// commander confirms. Keep it as it is and hand it to Apply.
type FlagPreview struct {
	Request  FlagRequest
	Source   string // configured provider name
	Provider string // provider type
	Key      string
	Env      string
	Before   string // state now, for a person
	After    string // state after the change
	Effects  []string
	// Warnings are things the commander should know that do not stop the
	// change (a provider that could not be searched for the name).
	Warnings []string
	// NoOp is true when the flag is already as asked; Apply then refuses.
	NoOp bool
	// RestoreOf is the journal entry a restore undoes.
	RestoreOf int64
	// At is when the preview read the flag.
	At time.Time

	plan     flags.Plan
	provider flags.Provider
}

// Lines renders the preview for a terminal, one fact per line.
func (pv FlagPreview) Lines() []string {
	where := pv.Source + " (" + pv.Provider
	if pv.Env != "" {
		where += ", environment " + pv.Env
	}
	where += ")"
	lines := []string{
		"flag:     " + pv.Key,
		"provider: " + where,
		"change:   " + pv.Before + " → " + pv.After,
	}
	if pv.NoOp {
		already := "already " + pv.Request.Action
		if pv.Request.Action == FlagRestore {
			already = "already as journaled before the change"
		}
		lines[2] = "state:    " + pv.Before + " (" + already + "; nothing to do)"
	}
	if pv.RestoreOf > 0 {
		lines = append(lines, fmt.Sprintf("undoes:   journal entry %d", pv.RestoreOf))
	}
	for _, e := range pv.Effects {
		lines = append(lines, "  - "+e)
	}
	for _, w := range pv.Warnings {
		lines = append(lines, "warning:  "+w)
	}
	return lines
}

// ConfirmFlag reports whether what the commander typed confirms changing
// key: it must be the key exactly (a trailing newline from the terminal
// aside), like deleting a repository on GitHub.
func ConfirmFlag(typed, key string) bool {
	typed = strings.TrimSuffix(strings.TrimSuffix(typed, "\n"), "\r")
	return key != "" && typed == key
}

// FlagOutcome is what Apply did.
type FlagOutcome struct {
	Entry incident.Entry
	Data  incident.FlagData
	// Applied is how long the change request took; Verified (when
	// Data.Verified) how long from sending it until the new state showed.
	Applied, Verified time.Duration
	// Notes say how verification went, for a person.
	Notes []string
}

func (s *FlagSwitch) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *FlagSwitch) progress(step string) {
	if s.Progress != nil {
		s.Progress(step)
	}
}

func orDur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Preview reads the flag and works out the change. It changes nothing and
// journals nothing.
func (s *FlagSwitch) Preview(ctx context.Context, req FlagRequest) (FlagPreview, error) {
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" {
		return FlagPreview{}, errors.New("name the flag: its key, or provider/key (see `sitrep flag list`)")
	}
	if len(s.Providers) == 0 {
		return FlagPreview{}, errors.New("no flag providers are configured: add a `flags:` section to the config (see DESIGN.md)")
	}
	change := flags.Change{DropTargeting: req.DropTargeting}
	pv := FlagPreview{Request: req}
	var p flags.Provider
	var err error
	switch req.Action {
	case FlagOff, FlagOn:
		change.On = req.Action == FlagOn
		p, change.Key, pv.Warnings, err = s.resolve(ctx, req.Name, req.Provider)
	case FlagRestore:
		if req.DropTargeting {
			return FlagPreview{}, errors.New("--drop-targeting does not apply to restore: restore puts back what the journal recorded")
		}
		var from incident.Entry
		var d incident.FlagData
		p, from, d, err = s.lastChange(req.Name, req.Provider)
		if err == nil {
			change.Key, change.Restore, pv.RestoreOf = d.Flag, d.Undo, from.Seq
		}
	default:
		return FlagPreview{}, fmt.Errorf("unknown flag action %q: use off, on or restore", req.Action)
	}
	if err != nil {
		return FlagPreview{}, err
	}
	if s.Journal != nil {
		change.Comment = s.Journal.ID()
		if req.Reason != "" {
			change.Comment += ": " + req.Reason
		}
	}
	ctx, cancel := context.WithTimeout(ctx, orDur(p.Timeout(), 5*time.Second))
	defer cancel()
	plan, err := p.Plan(ctx, change)
	if err != nil {
		return FlagPreview{}, err
	}
	pv.At = s.now()
	pv.Source, pv.Provider, pv.Key, pv.Env = p.Name(), p.Type(), plan.Before.Key, plan.Before.Env
	pv.Before, pv.After, pv.Effects, pv.NoOp = plan.Before.State, plan.After.State, plan.Effects, plan.NoOp
	pv.plan, pv.provider = plan, p
	return pv, nil
}

// provider finds a configured provider by name.
func (s *FlagSwitch) provider(name string) (flags.Provider, error) {
	names := make([]string, len(s.Providers))
	for i, p := range s.Providers {
		if p.Name() == name {
			return p, nil
		}
		names[i] = p.Name()
	}
	return nil, fmt.Errorf("no flag provider named %q; configured: %s", sanitize.Line(name), strings.Join(names, ", "))
}

// resolve finds the one provider that has the flag name refers to.
func (s *FlagSwitch) resolve(ctx context.Context, name, provider string) (flags.Provider, string, []string, error) {
	if provider != "" {
		p, err := s.provider(provider)
		return p, name, nil, err
	}
	if src, key, ok := strings.Cut(name, "/"); ok {
		if p, err := s.provider(src); err == nil {
			return p, key, nil, nil
		}
	}
	if len(s.Providers) == 1 {
		return s.Providers[0], name, nil, nil
	}
	errs := make([]error, len(s.Providers))
	eachProvider(ctx, s.Providers, func(ctx context.Context, i int, p flags.Provider) {
		_, errs[i] = p.Get(ctx, name)
	})
	var found []flags.Provider
	var warnings []string
	for i, err := range errs {
		p := s.Providers[i]
		switch {
		case err == nil:
			found = append(found, p)
		case !errors.Is(err, flags.ErrNotFound):
			warnings = append(warnings, fmt.Sprintf("could not check provider %s for %q: %v", p.Name(), sanitize.Line(name), err))
		}
	}
	switch len(found) {
	case 1:
		return found[0], name, warnings, nil
	case 0:
		if len(warnings) > 0 {
			return nil, "", nil, fmt.Errorf("flag %q not found; %s", sanitize.Line(name), strings.Join(warnings, "; "))
		}
		return nil, "", nil, fmt.Errorf("no provider has a flag %q (see `sitrep flag list`)", sanitize.Line(name))
	}
	var qualified []string
	for _, p := range found {
		qualified = append(qualified, p.Name()+"/"+sanitize.Line(name))
	}
	return nil, "", nil, fmt.Errorf("flag %q exists in several providers: name one of %s (or use --provider)",
		sanitize.Line(name), strings.Join(qualified, ", "))
}

// eachProvider runs fn for every provider at once, each call bounded by
// that provider's timeout, and waits for all of them.
func eachProvider(ctx context.Context, ps []flags.Provider, fn func(ctx context.Context, i int, p flags.Provider)) {
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, cancel := context.WithTimeout(ctx, orDur(p.Timeout(), 5*time.Second))
			defer cancel()
			fn(c, i, p)
		}()
	}
	wg.Wait()
}

// flagEntry is one journaled flag change.
type flagEntry struct {
	entry incident.Entry
	data  incident.FlagData
}

// flagEntries returns the journal's applied flag changes, oldest first.
func flagEntries(j *incident.Journal) ([]flagEntry, error) {
	entries, err := j.Load()
	if err != nil {
		return nil, err
	}
	var out []flagEntry
	for _, e := range entries {
		if e.Kind != incident.KindFlag {
			continue
		}
		var d incident.FlagData
		if err := e.Decode(&d); err != nil || d.Result != "applied" {
			continue
		}
		out = append(out, flagEntry{e, d})
	}
	return out, nil
}

// lastChange finds the last applied change of the named flag in the
// journal, which restore undoes.
func (s *FlagSwitch) lastChange(name, provider string) (flags.Provider, incident.Entry, incident.FlagData, error) {
	var none incident.FlagData
	if s.Journal == nil {
		return nil, incident.Entry{}, none, errors.New("restore needs the incident's journal: open one with `sitrep open TITLE` or pass --incident ID")
	}
	all, err := flagEntries(s.Journal)
	if err != nil {
		return nil, incident.Entry{}, none, err
	}
	last := map[string]flagEntry{} // source/key -> last change
	for _, fe := range all {
		d := fe.data
		if d.Flag == name && (provider == "" || d.Source == provider) || provider == "" && d.Source+"/"+d.Flag == name {
			last[d.Source+"/"+d.Flag] = fe
		}
	}
	switch len(last) {
	case 0:
		return nil, incident.Entry{}, none, fmt.Errorf("the journal of %s has no applied change of flag %q to restore", s.Journal.ID(), sanitize.Line(name))
	case 1:
	default:
		names := make([]string, 0, len(last))
		for n := range last {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, incident.Entry{}, none, fmt.Errorf("flag %q was changed in several providers: name one of %s", sanitize.Line(name), strings.Join(names, ", "))
	}
	var fe flagEntry
	for _, v := range last {
		fe = v
	}
	if fe.data.Action == FlagRestore {
		return nil, incident.Entry{}, none, fmt.Errorf("the last change of %s/%s (entry %d) was already a restore; use `sitrep flag off` or `on` to change it again",
			fe.data.Source, fe.data.Flag, fe.entry.Seq)
	}
	if len(fe.data.Undo) == 0 {
		return nil, incident.Entry{}, none, fmt.Errorf("journal entry %d has no undo record for %s/%s", fe.entry.Seq, fe.data.Source, fe.data.Flag)
	}
	p, err := s.provider(fe.data.Source)
	if err != nil {
		return nil, incident.Entry{}, none, fmt.Errorf("journal entry %d changed %s/%s, but %w", fe.entry.Seq, fe.data.Source, fe.data.Flag, err)
	}
	return p, fe.entry, fe.data, nil
}
