package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
	"github.com/sitrep-dev/sitrep/sources/flags"
)

// evidenceWait bounds how long Apply waits for the caller's evidence
// (metric values) after the change is done: evidence must never hold up
// the journal entry of a change that already happened.
const evidenceWait = 5 * time.Second

// Apply makes the previewed change, verifies it and journals it. The
// entry is written whatever happens — a refused or failed attempt is
// journaled as failed — and before Apply returns. evidence, when not nil,
// gives the configured metrics' values at this moment; it runs alongside
// the change so it never delays it.
func (s *FlagSwitch) Apply(ctx context.Context, pv FlagPreview, evidence func() []incident.MetricReading) (FlagOutcome, error) {
	if pv.provider == nil {
		return FlagOutcome{}, errors.New("apply needs a preview from Preview")
	}
	if pv.NoOp {
		return FlagOutcome{}, fmt.Errorf("%s/%s is already %s: nothing to do", pv.Source, pv.Key, pv.Before)
	}
	if s.Journal == nil {
		return FlagOutcome{}, errors.New("no incident to record the change in: open one with `sitrep open TITLE` (or pass --incident ID), then run this again")
	}
	ev := make(chan []incident.MetricReading, 1)
	if evidence != nil {
		go func() { ev <- evidence() }()
	} else {
		ev <- nil
	}

	plan := pv.plan
	data := incident.FlagData{
		Provider: pv.Provider, Source: pv.Source, Flag: pv.Key, Env: pv.Env,
		Action: pv.Request.Action, Before: pv.Before, After: pv.After,
		Reason: sanitize.Text(pv.Request.Reason), Undo: plan.Undo,
	}
	out := FlagOutcome{}

	// Write ahead: the intent is on disk before the request leaves, so a
	// process killed mid-change (kill -9, power) still leaves a record
	// that a change was under way. No journal, no change.
	intent := data
	intent.Result, intent.Undo = FlagSending, nil
	if _, err := s.journal(intent); err != nil {
		return out, fmt.Errorf("the flag was NOT changed: recording the attempt failed first: %w", err)
	}

	s.progress("applying")
	start := time.Now()
	// A change request in flight is not cancelled with ctx (Ctrl-C, a
	// closed dashboard): cut off halfway, it may have happened or not, and
	// the journal could not say which. ApplyTimeout still bounds it.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), orDur(s.ApplyTimeout, 10*time.Second))
	_, err := pv.provider.Apply(actx, plan)
	cancel()
	out.Applied = time.Since(start)
	if err != nil {
		data.Result, data.Error = "failed", sanitize.Line(err.Error())
		data.Undo = nil
		data.Evidence = waitEvidence(ev)
		e, jerr := s.journal(data)
		out.Entry, out.Data = e, data
		if jerr != nil {
			return out, fmt.Errorf("%w; and journaling the failed attempt failed too: %v", err, jerr)
		}
		return out, err
	}

	s.progress("verifying")
	verified, took, notes := s.verify(ctx, pv.provider, plan, start)
	data.Result, data.Verified, data.VerifyMillis = "applied", verified, took.Milliseconds()
	out.Notes = notes
	if verified {
		out.Verified = took
	}
	data.Evidence = waitEvidence(ev)
	e, jerr := s.journal(data)
	out.Entry, out.Data = e, data
	if jerr != nil {
		return out, fmt.Errorf("%s/%s WAS changed (%s → %s) but the journal write failed: %v; record it by hand with `sitrep log`",
			pv.Source, pv.Key, pv.Before, pv.After, jerr)
	}
	return out, nil
}

// FlagSending is the Result of the entry written just before a change
// request is sent; the entry with the outcome follows it.
const FlagSending = incident.FlagSending

func waitEvidence(ev <-chan []incident.MetricReading) []incident.MetricReading {
	select {
	case r := <-ev:
		return r
	case <-time.After(evidenceWait):
		return nil
	}
}

// journal appends the flag entry; its text reads well in the timeline.
func (s *FlagSwitch) journal(d incident.FlagData) (incident.Entry, error) {
	verb := map[string]string{FlagOff: "killed", FlagOn: "turned on", FlagRestore: "restored"}[d.Action]
	text := fmt.Sprintf("%s flag %s/%s: %s → %s", verb, d.Source, d.Flag, d.Before, d.After)
	switch {
	case d.Result == FlagSending:
		text = fmt.Sprintf("sending: %s flag %s/%s: %s → %s", verb, d.Source, d.Flag, d.Before, d.After)
	case d.Result == "failed":
		text = fmt.Sprintf("FAILED to %s flag %s/%s (%s): %s", map[string]string{FlagOff: "kill", FlagOn: "turn on", FlagRestore: "restore"}[d.Action], d.Source, d.Flag, d.Before, d.Error)
	case d.Verified:
		text += fmt.Sprintf(" (verified in %d ms)", d.VerifyMillis)
	default:
		text += " (NOT verified)"
	}
	if d.Reason != "" {
		text += " — " + d.Reason
	}
	return s.Journal.Append(incident.Draft{At: s.now(), Author: s.Author, Kind: incident.KindFlag, Text: text, Data: d})
}

// verify reads the flag back until the planned state shows, then, if an
// OFREP endpoint is configured and the new value is predictable, waits for
// clients to get it. took runs from start (the change request).
func (s *FlagSwitch) verify(ctx context.Context, p flags.Provider, plan flags.Plan, start time.Time) (ok bool, took time.Duration, notes []string) {
	rctx, cancel := context.WithTimeout(ctx, orDur(s.ReadbackDeadline, 10*time.Second))
	defer cancel()
	var last flags.Flag
	var lastErr error
	for {
		gctx, gcancel := context.WithTimeout(rctx, orDur(p.Timeout(), 5*time.Second))
		got, err := p.Get(gctx, plan.Change.Key)
		gcancel()
		if err == nil && flags.Observed(plan.After, got) {
			ok = true
			break
		}
		last, lastErr = got, err
		select {
		case <-rctx.Done():
		case <-time.After(orDur(s.Every, 100*time.Millisecond)):
			continue
		}
		break
	}
	took = time.Since(start)
	if !ok {
		if lastErr != nil {
			return false, took, []string{"read back failed: " + lastErr.Error()}
		}
		return false, took, []string{fmt.Sprintf("read back still shows %s after %s", last.State, took.Round(time.Millisecond))}
	}
	notes = append(notes, fmt.Sprintf("read back %s after %s", plan.After.State, took.Round(time.Millisecond)))
	o := p.Verifier()
	switch {
	case o == nil:
		return true, took, notes
	case plan.After.Variant == "" && plan.After.Value == nil:
		return true, took, append(notes, "OFREP not checked: the value clients get in the new state depends on targeting")
	}
	ev, seen, err := o.Await(ctx, plan.Change.Key, plan.After)
	took = time.Since(start)
	if !seen {
		msg := "OFREP did not confirm the change"
		if err != nil {
			msg += ": " + err.Error()
		}
		return false, took, append(notes, msg)
	}
	v := fmt.Sprint(ev.Value)
	if ev.Variant != "" {
		v += " (variant " + ev.Variant + ")"
	}
	return true, took, append(notes, fmt.Sprintf("OFREP serves %s after %s", v, took.Round(time.Millisecond)))
}
