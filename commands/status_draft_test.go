package commands

import (
	"errors"
	"strings"
	"testing"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
)

func publishedAs(t *testing.T, j *incident.Journal, d incident.StatusData) {
	t.Helper()
	d.Phase, d.Target, d.TargetRef = PhasePublished, "site", "/x"
	if _, err := j.Append(incident.Draft{Kind: incident.KindStatus, Data: d}); err != nil {
		t.Fatal(err)
	}
}

func TestADraftSurvivesACrashAndIsEditedInPlace(t *testing.T) {
	s, j := newIncident(t)
	d1 := mustDraft(t, j, DraftOptions{State: "investigating", Body: "first words"})
	j.Close() // the process dies here

	j2, err := s.OpenCurrent("")
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	l, err := Show(j2)
	if err != nil {
		t.Fatal(err)
	}
	if u := l.OpenDraft(); u == nil || u.ID != d1.UpdateID || u.Draft.Body != "first words" {
		t.Fatalf("open draft after restart = %+v", u)
	}
	d2 := mustDraft(t, j2, DraftOptions{State: "investigating", Body: "better words"})
	if d2.UpdateID != d1.UpdateID {
		t.Errorf("editing an unpublished draft started a new update %s (was %s)", d2.UpdateID, d1.UpdateID)
	}
	l, _ = Show(j2)
	if len(l.Updates) != 1 || l.Latest().Draft.Body != "better words" {
		t.Errorf("updates %+v", l.Updates)
	}
	if out := FormatStatus(l); !strings.Contains(out, "draft, not published yet") || !strings.Contains(out, "better words") {
		t.Errorf("show:\n%s", out)
	}

	publishedAs(t, j2, d2)
	d3 := mustDraft(t, j2, DraftOptions{State: "identified", Body: "found it"})
	if d3.UpdateID == d1.UpdateID {
		t.Error("a draft after publishing reused the published update's id")
	}
}

func TestGoingBackwardsNeedsForce(t *testing.T) {
	_, j := newIncident(t)
	publishedAs(t, j, mustDraft(t, j, DraftOptions{State: "monitoring", Body: "fixed"}))

	_, _, err := Draft(j, DraftOptions{State: "investigating", Body: "it's back"})
	var be *BackwardsError
	if !errors.As(err, &be) || be.From != "monitoring" || be.To != "investigating" || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("err = %v", err)
	}
	if l, _ := Show(j); len(l.Updates) != 1 {
		t.Error("a refused draft was journaled")
	}
	if d := mustDraft(t, j, DraftOptions{State: "investigating", Body: "it's back", Force: true}); d.State != "investigating" {
		t.Errorf("forced draft %+v", d)
	}
	// Forward and same-state drafts need no confirmation.
	for _, st := range []string{"monitoring", "resolved"} {
		if _, _, err := Draft(j, DraftOptions{State: st, Body: "x"}); err != nil {
			t.Errorf("%s: %v", st, err)
		}
	}
}

func TestDraftNormalisesAndRejects(t *testing.T) {
	_, j := newIncident(t)
	d := mustDraft(t, j, DraftOptions{State: " Identified ", Impact: "MAJOR", Title: "API\x1b[2J errors", Body: "  body\x1b]0;x\x07  ",
		Components: []incident.ComponentStatus{{Name: " API ", Status: "Partial_Outage"}}})
	if d.State != "identified" || d.Impact != "major" || d.Title != "API errors" || d.Body != "body" ||
		d.Components[0] != (incident.ComponentStatus{Name: "API", Status: "partial_outage"}) || d.Phase != PhaseDraft {
		t.Errorf("draft %+v", d)
	}
	if _, _, err := Draft(j, DraftOptions{State: "investigating"}); err == nil || !strings.Contains(err.Error(), "no text") {
		t.Errorf("empty body: %v", err)
	}
}

func TestReadStatusIgnoresRedactedAndStrayEntries(t *testing.T) {
	_, j := newIncident(t)
	d := mustDraft(t, j, DraftOptions{State: "investigating", Body: "oops, pasted a password"})
	es := load(t, j)
	if _, err := Redact(j, es[len(es)-1].Seq, "secret in draft", "alice"); err != nil {
		t.Fatal(err)
	}
	// A result for an update whose draft is unknown, and an unknown phase.
	j.Append(incident.Draft{Kind: incident.KindStatus, Data: incident.StatusData{Phase: PhasePublished, UpdateID: "u-ghost", Target: "x"}})
	j.Append(incident.Draft{Kind: incident.KindStatus, Data: incident.StatusData{Phase: "queued", UpdateID: d.UpdateID}})
	l := ReadStatus(load(t, j))
	if len(l.Updates) != 0 || l.OpenDraft() != nil {
		t.Errorf("updates %+v", l.Updates)
	}
}

func TestKnownComponentsMergesConfigAndHistory(t *testing.T) {
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "x", Components: []incident.ComponentStatus{{Name: "Queue", Status: "major_outage"}, {Name: "API", Status: "major_outage"}}})
	cfg := &config.Config{Status: []config.StatusTarget{{Provider: "statuspage", Components: map[string]string{"API": "c1", "Web": "c2"}}}}
	if got := strings.Join(KnownComponents(cfg, load(t, j)), ","); got != "API,Queue,Web" {
		t.Errorf("KnownComponents = %s", got)
	}
}

func TestShowNeutralisesWhatTheJournalHolds(t *testing.T) {
	_, j := newIncident(t)
	// Written by hand or by another tool: not sanitized on the way in.
	bad := incident.StatusData{Phase: PhaseDraft, UpdateID: "u-\x1b[2J1", State: "investigating\x1b]0;x\x07", Body: "hi\x1b[31m there"}
	j.Append(incident.Draft{Kind: incident.KindStatus, Data: bad})
	bad.Phase, bad.Target, bad.Error = PhaseFailed, "t\x1b[1m", "boom\x1b[0m"
	j.Append(incident.Draft{Kind: incident.KindStatus, Data: bad})
	out := FormatStatus(ReadStatus(load(t, j)))
	if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x07) {
		t.Errorf("show output carries control characters: %q", out)
	}
}
