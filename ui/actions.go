package ui

import (
	"context"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/commands/publish"
	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
)

// Actions are the verbs the dashboard can run, built by main.go from the
// config. A nil or empty field disables the matching key with a message
// saying how to configure it.
type Actions struct {
	Flags         *commands.FlagSwitch
	StatusTargets []publish.Target
	Templates     config.StatusTemplates
	// ExportPath is where `e` writes the postmortem (default: the incident
	// folder's postmortem.md).
	ExportPath string
}

// export renders the postmortem to a file off the Update loop.
func (m *Model) export() tea.Cmd {
	j := m.deps.Journal
	path := m.deps.Actions.ExportPath
	if path == "" {
		path = filepath.Join(j.Dir(), "postmortem.md")
	}
	var gh *config.GitHub
	if m.deps.Config != nil {
		gh = m.deps.Config.GitHub
	}
	ctx := m.deps.Ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		data, warning, err := commands.Postmortem(ctx, j, commands.ExportOptions{GitHub: gh})
		if err == nil {
			err = commands.WriteExport(path, data)
		}
		return exportedMsg{path: path, err: err, warning: warning}
	}
}

type suspectMsg struct {
	text string
	err  error
}

// markSuspect journals the selected change as a suspect.
func (m *Model) markSuspect() tea.Cmd {
	if m.focus != paneChanges || len(m.data.changes) == 0 {
		return m.setToast("select a change in the Changes pane, then press x to mark it suspect", true)
	}
	c := m.data.changes[m.panes[paneChanges].cursor]
	j, author := m.deps.Journal, m.deps.Author
	return func() tea.Msg {
		text, err := commands.MarkSuspect(j, c, author)
		return suspectMsg{text: text, err: err}
	}
}

func changeKey(c incident.ChangeData) string { return c.Repo + "\x00" + c.Kind + "\x00" + c.Ref }

// isSuspect reports whether the journal marks c as a suspect.
func (m *Model) isSuspect(c incident.ChangeData) bool { return m.suspects[changeKey(c)] }

// noteSuspects keeps the suspect set current as change entries arrive.
func (m *Model) noteSuspects(entries []incident.Entry) {
	for _, e := range entries {
		if e.Kind != incident.KindChange {
			continue
		}
		var c incident.ChangeData
		if e.Decode(&c) == nil && c.Suspect {
			if m.suspects == nil {
				m.suspects = map[string]bool{}
			}
			m.suspects[changeKey(c)] = true
		}
	}
}
