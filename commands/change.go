package commands

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/gh"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
	ghsource "github.com/sitrep-dev/sitrep/sources/github"
)

// Changes (GitHub deploys, merged PRs, releases) in the journal:
//
//	msg, err := MarkSuspect(j, change, author)   // the pane's `x`; journals a `change` entry with Suspect
//	cs := MergeChanges(entries, fetched)          // journal + fresh fetch, one row per change, suspects first
//	cs, err := WindowChanges(ctx, j, cfg)         // loads, fetches and merges: the postmortem's rows
//
// A change is identified by Repo+Kind+Ref (Ref: deployment id, PR number,
// release tag — see sources/github).

// changeKinds are the kinds sources/github produces.
var changeKinds = map[string]bool{"deploy": true, "pr": true, "release": true}

func changeKey(c incident.ChangeData) string { return c.Repo + "\x00" + c.Kind + "\x00" + c.Ref }

// changeName is how a person recognises a change in one line.
func changeName(c incident.ChangeData) string {
	id := c.Ref
	switch c.Kind {
	case "pr":
		id = "#" + c.Ref
	case "deploy":
		id = "deployment " + c.Ref
	}
	return fmt.Sprintf("%s %s %s: %s", c.Repo, c.Kind, id, c.Title)
}

// MarkSuspect journals c as a suspect change (a `change` entry with
// Suspect set) and returns the line to show. Marking a change already
// marked is a no-op that says so; two sessions marking at the same instant
// may both append, which the postmortem folds into one row.
func MarkSuspect(j *incident.Journal, c incident.ChangeData, author string) (string, error) {
	c = cleanChange(c)
	if c.Repo == "" || c.Ref == "" || !changeKinds[c.Kind] {
		return "", fmt.Errorf("cannot mark this change: it needs a repo, a ref and a kind of deploy, pr or release (got %q %q %q)", c.Repo, c.Ref, c.Kind)
	}
	entries, err := j.Load()
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if e.Kind != incident.KindChange {
			continue
		}
		var d incident.ChangeData
		if e.Decode(&d) == nil && d.Suspect && changeKey(d) == changeKey(c) {
			return fmt.Sprintf("already marked as suspect (entry %d): %s", e.Seq, changeName(c)), nil
		}
	}
	c.Suspect = true
	e, err := j.Append(incident.Draft{Author: author, Kind: incident.KindChange, Text: "suspect: " + changeName(c), Data: c})
	if err != nil {
		return "", fmt.Errorf("mark suspect: %w", err)
	}
	return fmt.Sprintf("marked as suspect (entry %d): %s", e.Seq, changeName(c)), nil
}

func cleanChange(c incident.ChangeData) incident.ChangeData {
	for _, s := range []*string{&c.Repo, &c.Kind, &c.Title, &c.Author, &c.URL, &c.Status, &c.Ref} {
		*s = sanitize.Line(*s)
	}
	c.At = c.At.UTC()
	return c
}

// MergeChanges folds the journal's change entries (in append order) and a
// fresh fetch into one row per change: suspect if any entry marked it,
// status and title from the newest information (the fetch beats the
// journal), suspects first, then newest first. Redacted entries must be
// removed by the caller (incident.NewRecord's Timeline has them removed).
func MergeChanges(entries []incident.Entry, fetched []incident.ChangeData) []incident.ChangeData {
	idx := map[string]int{}
	var out []incident.ChangeData
	add := func(c incident.ChangeData) {
		c = cleanChange(c)
		if i, ok := idx[changeKey(c)]; ok {
			suspect := out[i].Suspect || c.Suspect
			out[i] = c
			out[i].Suspect = suspect
			return
		}
		idx[changeKey(c)] = len(out)
		out = append(out, c)
	}
	for _, e := range entries {
		var d incident.ChangeData
		if e.Kind == incident.KindChange && e.Decode(&d) == nil {
			add(d)
		}
	}
	for _, c := range fetched {
		c.Suspect = false // only a person's mark in the journal makes a suspect
		add(c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Suspect != out[j].Suspect {
			return out[i].Suspect
		}
		return out[i].At.After(out[j].At)
	})
	return out
}

// WindowChanges is the postmortem's "what changed before": the journal's
// change entries merged with a fresh fetch of the window before the
// incident's start (cfg nil: the journal alone). A failed fetch still
// returns the journal's changes, with the error, so an export can go ahead
// and say what is missing.
func WindowChanges(ctx context.Context, j *incident.Journal, cfg *config.GitHub) ([]incident.ChangeData, error) {
	entries, err := j.Load()
	if err != nil {
		return nil, err
	}
	rec := incident.NewRecord(entries)
	if cfg == nil || len(cfg.Repos) == 0 {
		return MergeChanges(rec.Timeline, nil), nil
	}
	c, err := gh.FromConfig(cfg, nil)
	if err == nil {
		var fetched []incident.ChangeData
		// Each request is bounded by github.timeout (see gh.FromConfig).
		fetched, err = ghsource.Fetch(ctx, c, cfg, rec.Start)
		if err == nil {
			return MergeChanges(rec.Timeline, fetched), nil
		}
	}
	return MergeChanges(rec.Timeline, nil), errors.New("changes from GitHub are missing: " + err.Error())
}
