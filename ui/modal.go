package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/incident"
)

// modal is a dialog over the dashboard. While one is open it receives every
// message the root does not handle itself, including all keys. Update
// returns the modal to keep open, or nil to close it.
type modal interface {
	Update(m *Model, msg tea.Msg) (modal, tea.Cmd)
	View(m *Model, st Styles, w, h int) string
	// Dirty reports unsaved input: quitting then asks first.
	Dirty() bool
}

var (
	escKey   = key.NewBinding(key.WithKeys("esc"))
	enterKey = key.NewBinding(key.WithKeys("enter"))
	ctrlC    = key.NewBinding(key.WithKeys("ctrl+c"))
)

func newInput(placeholder string, width int) textinput.Model {
	ti := textinput.New()
	ti.Placeholder = placeholder
	ti.CharLimit = 4000
	ti.SetWidth(width)
	ti.Focus()
	return ti
}

// logCmd appends an entry off the Update loop.
func (m *Model) logCmd(kind incident.Kind, text string) tea.Cmd {
	j, author := m.deps.Journal, m.deps.Author
	return func() tea.Msg {
		e, err := commands.Log(j, commands.LogOptions{Kind: kind, Text: text, Author: author})
		return loggedMsg{kind: kind, seq: e.Seq, err: err}
	}
}

// ---- note ----

// noteModal takes a timeline note (or a milestone's text). The text is
// saved to the draft file on every change and to the journal on enter.
type noteModal struct {
	kind  incident.Kind
	input textinput.Model
	quit  bool // a quit was asked while the note was dirty
}

func (m *Model) openNote(initial string) tea.Cmd {
	nm := &noteModal{kind: incident.KindNote, input: newInput("what happened? (enter saves, esc keeps it as a draft)", min(90, m.w-8))}
	nm.input.SetValue(initial)
	nm.input.CursorEnd()
	m.modal = nm
	return nil
}

func (n *noteModal) Dirty() bool { return strings.TrimSpace(n.input.Value()) != "" }

func (n *noteModal) Update(m *Model, msg tea.Msg) (modal, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, enterKey):
			text := strings.TrimSpace(n.input.Value())
			if text == "" {
				return n, nil
			}
			m.saveDraft(n.kind, "") // the journal has it now
			return nil, m.logCmd(n.kind, text)
		case key.Matches(k, escKey):
			return nil, nil // the draft file keeps the text for next time
		case key.Matches(k, ctrlC):
			if !n.Dirty() || n.quit {
				return nil, tea.Quit
			}
			n.quit = true
			return n, nil
		}
	}
	before := n.input.Value()
	var cmd tea.Cmd
	n.input, cmd = n.input.Update(msg)
	if v := n.input.Value(); v != before {
		n.quit = false
		m.saveDraft(n.kind, v)
	}
	return n, cmd
}

func (n *noteModal) View(m *Model, st Styles, w, h int) string {
	title := "New note"
	if n.kind != incident.KindNote {
		title = "Milestone: " + string(n.kind)
	}
	lines := []string{n.input.View(), ""}
	if n.quit {
		lines = append(lines, st.Warn.Render("Unsaved note. ctrl+c again quits (the draft is kept on disk); enter saves it."))
	} else {
		lines = append(lines, st.Dim.Render("enter save to the journal · esc close (draft kept) · saved as "+clean(m.deps.Author)))
	}
	return m.box(title, lines, min(96, w-2))
}

// ---- milestone ----

var milestones = []incident.Kind{incident.KindDetected, incident.KindIdentified, incident.KindMitigated, incident.KindResolved}

type milestoneModal struct{ cursor int }

func newMilestoneModal() *milestoneModal { return &milestoneModal{} }

func (mm *milestoneModal) Dirty() bool { return false }

func (mm *milestoneModal) Update(m *Model, msg tea.Msg) (modal, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return mm, nil
	}
	switch k.String() {
	case "esc", "q":
		return nil, nil
	case "up", "k":
		mm.cursor = max(0, mm.cursor-1)
	case "down", "j":
		mm.cursor = min(len(milestones)-1, mm.cursor+1)
	case "1", "2", "3", "4":
		mm.cursor = int(k.String()[0] - '1')
		fallthrough
	case "enter":
		nm := &noteModal{kind: milestones[mm.cursor], input: newInput("one line: what tells you this? (enter saves)", min(90, m.w-8))}
		return nm, nil
	}
	return mm, nil
}

func (mm *milestoneModal) View(m *Model, st Styles, w, h int) string {
	reached := map[incident.Kind]bool{
		incident.KindDetected: m.rec.Milestones.Detected != nil, incident.KindIdentified: m.rec.Milestones.Identified != nil,
		incident.KindMitigated: m.rec.Milestones.Mitigated != nil, incident.KindResolved: m.rec.Milestones.Resolved != nil,
	}
	var lines []string
	for i, k := range milestones {
		mark := "  "
		if reached[k] {
			mark = "✓ "
		}
		line := itoa64(int64(i+1)) + ". " + mark + string(k)
		if i == mm.cursor {
			line = st.Selected.Render(line)
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", st.Dim.Render("↑/↓ or 1-4, enter to write it · esc cancel"))
	return m.box("Log a milestone", lines, min(60, w-2))
}

// ---- filter ----

type filterModal struct{ input textinput.Model }

func newFilterModal(current string) *filterModal {
	f := &filterModal{input: newInput("text to match in the timeline (empty clears)", 50)}
	f.input.SetValue(current)
	f.input.CursorEnd()
	return f
}

func (f *filterModal) Dirty() bool { return false }

func (f *filterModal) Update(m *Model, msg tea.Msg) (modal, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, escKey):
			m.timeline.setFilter("", m.rec)
			return nil, nil
		case key.Matches(k, enterKey):
			return nil, nil
		}
	}
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	m.timeline.setFilter(f.input.Value(), m.rec) // live, as you type
	m.panes[paneTimeline].follow = true
	return f, cmd
}

func (f *filterModal) View(m *Model, st Styles, w, h int) string {
	lines := []string{f.input.View(), st.Dim.Render(itoa64(int64(m.timeline.count(m.rec))) + " matching · enter keep · esc clear")}
	return m.box("Filter the timeline", lines, min(64, w-2))
}

// ---- help ----

type helpModal struct{}

func newHelpModal() helpModal { return helpModal{} }

func (helpModal) Dirty() bool { return false }

func (h helpModal) Update(m *Model, msg tea.Msg) (modal, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		return nil, nil
	}
	return h, nil
}

func (helpModal) View(m *Model, st Styles, w, h int) string {
	var lines []string
	titles := []string{"Move", "Look", "Record", "Act (dangerous: preview, then confirm)"}
	for i, group := range m.keys.FullHelp() {
		lines = append(lines, st.Bold.Render(titles[i]))
		for _, b := range group {
			if b.Enabled() {
				lines = append(lines, "  "+st.Key.Render(fit(b.Help().Key, 10))+" "+b.Help().Desc)
			}
		}
	}
	lines = append(lines, "", st.Dim.Render("any key closes"))
	if len(lines) > h-4 {
		lines = lines[:max(1, h-4)]
	}
	return m.box("Keys", lines, min(60, w-2))
}
