package ui

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/commands/publish"
	"github.com/sitrep-dev/sitrep/config"
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

// mergeChanges rebuilds the Changes pane's rows: the fetched changes and
// the journal's change entries, one row each, suspects first. It runs when
// either side changes (a poll a minute, a mark), not per frame.
func (m *Model) mergeChanges() {
	m.data.changes = commands.MergeChanges(m.rec.Timeline, m.data.fetched)
}

// redact hides an entry: "SEQ REASON" (the palette's redact verb).
func (m *Model) redact(arg string) tea.Cmd {
	seqText, reason, _ := strings.Cut(strings.TrimSpace(arg), " ")
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if err != nil || seq < 1 {
		return m.setToast("redact SEQ REASON: give the entry number (see its details) and why", true)
	}
	j, author := m.deps.Journal, m.deps.Author
	return func() tea.Msg {
		e, err := commands.Redact(j, seq, reason, author)
		return loggedMsg{kind: e.Kind, seq: e.Seq, err: err}
	}
}

type retriedMsg struct {
	res commands.PublishResult
	err error
}

// retryStatus publishes queued status updates to the targets that failed.
func (m *Model) retryStatus() tea.Cmd {
	j, targets, author, ctx := m.deps.Journal, m.deps.Actions.StatusTargets, m.deps.Author, m.deps.Ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, publishTimeout)
		defer cancel()
		res, err := commands.Retry(ctx, j, commands.PublishOptions{Targets: targets, Author: author})
		if err == nil {
			err = res.Err()
		}
		return retriedMsg{res: res, err: err}
	}
}
