package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/commands/publish"
	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
)

func statusHarness(t *testing.T) (*harness, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "status.md")
	cfg, err := config.Parse("sitrep.yaml", []byte("status:\n  - {provider: file, name: site, path: "+out+"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	targets, err := publish.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(d *Deps) {
		d.Config = cfg
		d.Actions = Actions{StatusTargets: targets}
	})
	return h, out
}

func statusEntries(h *harness) []incident.StatusData {
	var out []incident.StatusData
	for _, e := range h.entries() {
		var d incident.StatusData
		if e.Kind == incident.KindStatus && e.Decode(&d) == nil {
			out = append(out, d)
		}
	}
	return out
}

func ctrl(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }

func TestStatusEditorDraftsPreviewsAndPublishesAfterConfirm(t *testing.T) {
	h, out := statusHarness(t)
	h.key("s")
	s := h.screen()
	if !strings.Contains(s, "Status update") || !strings.Contains(s, "investigating") || !strings.Contains(s, "We are investigating") {
		t.Fatalf("editor not prefilled from the template:\n%s", s)
	}
	h.typeText(" Checkout is affected.")
	h.send(ctrl('s'))
	ds := statusEntries(h)
	if len(ds) != 1 || ds[0].Phase != "draft" || !strings.Contains(ds[0].Body, "Checkout is affected.") {
		t.Fatalf("draft not journaled: %+v", ds)
	}
	h.send(ctrl('p'))
	if s := h.screen(); !strings.Contains(s, "Exactly as it will be published") || !strings.Contains(s, "PUBLISH") {
		t.Fatalf("no preview:\n%s", s)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("published before the confirm step")
	}
	h.key("enter")
	ds = statusEntries(h)
	if last := ds[len(ds)-1]; last.Phase != "published" || last.Target != "site" {
		t.Fatalf("not published: %+v", ds)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(b), "Checkout is affected.") {
		t.Fatalf("status file = %q, %v", b, err)
	}
}

func TestStatusEditorEscapeWithUnsavedChangesAsksFirst(t *testing.T) {
	h, _ := statusHarness(t)
	h.key("s")
	h.typeText("x")
	h.key("esc")
	if !strings.Contains(h.screen(), "Unsaved changes") {
		t.Fatalf("no warning:\n%s", h.screen())
	}
	h.key("esc")
	if h.m.modal != nil {
		t.Fatal("second esc did not close the editor")
	}
	if len(statusEntries(h)) != 0 {
		t.Fatal("a discarded draft was journaled")
	}
}

func TestStatusEditorGoingBackwardsNeedsConfirmation(t *testing.T) {
	h, _ := statusHarness(t)
	// Customers last saw "monitoring".
	if _, _, err := commands.Draft(h.j, commands.DraftOptions{State: "monitoring", Body: "A fix is deployed.", Author: "ic"}); err != nil {
		t.Fatal(err)
	}
	pv, err := commands.PreviewStatus(h.j, h.m.deps.Actions.StatusTargets, h.m.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := commands.Publish(h.m.deps.Ctx, h.j, commands.PublishOptions{Targets: h.m.deps.Actions.StatusTargets, Seen: &pv, Author: "ic"}); err != nil {
		t.Fatal(err)
	}
	h.key("s")
	h.key("shift+tab", "shift+tab", "shift+tab") // body → title → impact → state
	for i := 0; !strings.Contains(h.screen(), "◀ investigating ▶"); i++ {
		if i > len(commands.States) {
			t.Fatalf("cannot select investigating:\n%s", h.screen())
		}
		h.send(tea.KeyPressMsg{Code: tea.KeyLeft})
	}
	h.send(ctrl('s'))
	if s := h.screen(); !strings.Contains(s, "ctrl+s again to confirm") {
		t.Fatalf("no confirmation asked:\n%s", s)
	}
	before := len(statusEntries(h))
	h.send(ctrl('s'))
	ds := statusEntries(h)
	if len(ds) != before+1 || ds[len(ds)-1].State != "investigating" {
		t.Fatalf("confirmed backwards draft not saved: %+v", ds)
	}
}
