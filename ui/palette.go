package ui

import (
	"sort"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/incident"
)

// The command palette (k9s's `:`): every verb by name, with completion over
// its arguments (flag keys, milestone kinds, pane names).

type paletteItem struct {
	name string // what is typed and completed
	desc string
	// run executes the item; arg is what was typed after the name.
	run func(m *Model, arg string) tea.Cmd
	// takesArg: the item needs free text after its name.
	takesArg bool
}

type paletteModal struct {
	input  textinput.Model
	items  []paletteItem
	shown  []int
	cursor int
}

func newPalette(m *Model) *paletteModal {
	p := &paletteModal{input: newInput("command (tab completes, enter runs)", 50), items: paletteItems(m)}
	p.input.Prompt = ": "
	p.refresh()
	return p
}

func paletteItems(m *Model) []paletteItem {
	items := []paletteItem{
		{name: "note", desc: "add a note to the timeline", takesArg: true, run: func(m *Model, arg string) tea.Cmd {
			if arg == "" {
				return m.openNote("")
			}
			return m.logCmd(incident.KindNote, arg)
		}},
		{name: "action", desc: "log a follow-up action (@owner)", takesArg: true, run: logWith(incident.KindAction)},
		{name: "severity", desc: "change severity: severity 1-5 [why]", takesArg: true, run: logWith(incident.KindSeverity)},
		{name: "commander", desc: "hand over command: commander NAME", takesArg: true, run: func(m *Model, arg string) tea.Cmd {
			return m.logCmd(incident.KindRole, "commander "+arg)
		}},
		{name: "status", desc: "draft and publish a status update", run: func(m *Model, _ string) tea.Cmd { return m.openStatus() }},
		{name: "export", desc: "write the postmortem (Markdown) next to the journal", run: func(m *Model, _ string) tea.Cmd { return m.export() }},
		{name: "redact", desc: "hide an entry from views and exports: redact SEQ REASON", takesArg: true, run: func(m *Model, arg string) tea.Cmd {
			return m.redact(arg)
		}},
		{name: "suspect", desc: "mark the selected change as a suspect", run: func(m *Model, _ string) tea.Cmd { return m.markSuspect() }},
		{name: "times", desc: "show times in UTC or local time", run: func(m *Model, _ string) tea.Cmd {
			m.localTime = !m.localTime
			return m.setToast("times shown in "+m.zone(), false)
		}},
		{name: "filter", desc: "filter the timeline: filter TEXT (empty clears)", takesArg: true, run: func(m *Model, arg string) tea.Cmd {
			m.timeline.setFilter(arg, m.rec)
			return nil
		}},
		{name: "help", desc: "show the keys", run: func(m *Model, _ string) tea.Cmd { m.modal = newHelpModal(); return nil }},
		{name: "quit", desc: "leave sitrep (the journal is always saved)", run: func(m *Model, _ string) tea.Cmd { return tea.Quit }},
	}
	for _, k := range milestones {
		items = append(items, paletteItem{name: "milestone " + string(k), desc: "log that the incident is " + string(k), takesArg: true, run: logWith(k)})
	}
	for id := paneMetrics; id < paneCount; id++ {
		items = append(items, paletteItem{name: "focus " + strings.ToLower(id.String()), desc: "go to the " + id.String() + " pane", run: func(m *Model, _ string) tea.Cmd {
			m.focus = id
			m.relayout()
			return nil
		}})
	}
	if !m.deps.ReadOnly {
		items = append(items, paletteItem{name: "status retry", desc: "publish queued status updates to the targets that failed", run: func(m *Model, _ string) tea.Cmd { return m.retryStatus() }})
		for i, f := range m.data.flags {
			name := f.Source + "/" + f.Key
			for _, action := range []string{"kill", "restore"} {
				verb := map[string]string{"kill": "off", "restore": "restore"}[action]
				items = append(items, paletteItem{name: action + " " + name, desc: verb + " — preview, then confirm", run: func(m *Model, _ string) tea.Cmd {
					m.focus = paneFlags
					m.relayout()
					m.panes[paneFlags].cursor = i
					return m.startFlagChange(verb)
				}})
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].name < items[j].name })
	return items
}

func logWith(k incident.Kind) func(m *Model, arg string) tea.Cmd {
	return func(m *Model, arg string) tea.Cmd {
		if arg == "" {
			nm := &noteModal{kind: k, input: newInput("text for the "+string(k)+" entry (enter saves)", min(90, m.w-8))}
			m.modal = nm
			return nil
		}
		return m.logCmd(k, arg)
	}
}

func (p *paletteModal) Dirty() bool { return false }

// refresh lists the items the typed text could mean: those whose name
// starts with it, or (for items with an argument) that it starts with.
func (p *paletteModal) refresh() {
	q := strings.ToLower(strings.TrimLeft(p.input.Value(), " "))
	p.shown = p.shown[:0]
	for i, it := range p.items {
		if strings.HasPrefix(it.name, q) || (it.takesArg && strings.HasPrefix(q, it.name+" ")) {
			p.shown = append(p.shown, i)
		}
	}
	p.cursor = max(0, min(p.cursor, len(p.shown)-1))
}

func (p *paletteModal) Update(m *Model, msg tea.Msg) (modal, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return nil, nil
		case "up", "ctrl+p":
			p.cursor = max(0, p.cursor-1)
			return p, nil
		case "down", "ctrl+n":
			p.cursor = min(len(p.shown)-1, p.cursor+1)
			return p, nil
		case "tab":
			if len(p.shown) > 0 {
				it := p.items[p.shown[p.cursor]]
				v := it.name
				if it.takesArg {
					v += " "
				}
				if !strings.HasPrefix(strings.ToLower(p.input.Value()), it.name+" ") {
					p.input.SetValue(v)
					p.input.CursorEnd()
				}
				p.refresh()
			}
			return p, nil
		case "enter":
			return p.run(m)
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.refresh()
	return p, cmd
}

func (p *paletteModal) run(m *Model) (modal, tea.Cmd) {
	typed := strings.TrimSpace(p.input.Value())
	if len(p.shown) == 0 {
		return p, m.setToast("no command matches "+strconv.Quote(typed)+" (tab shows the list)", true)
	}
	it := p.items[p.shown[p.cursor]]
	arg := ""
	if strings.HasPrefix(strings.ToLower(typed), it.name+" ") {
		arg = strings.TrimSpace(typed[len(it.name):])
	}
	m.modal = nil
	cmd := it.run(m, arg)
	return m.modal, cmd
}

func (p *paletteModal) View(m *Model, st Styles, w, h int) string {
	lines := []string{p.input.View(), ""}
	room := max(3, min(12, h-8))
	start := max(0, p.cursor-room+1)
	for i := start; i < len(p.shown) && i < start+room; i++ {
		it := p.items[p.shown[i]]
		line := fit(it.name, 28) + " " + st.Dim.Render(it.desc)
		if i == p.cursor {
			line = st.Selected.Render(fit(it.name, 28)) + " " + it.desc
		}
		lines = append(lines, line)
	}
	if len(p.shown) == 0 {
		lines = append(lines, st.Dim.Render("no matching command"))
	}
	lines = append(lines, "", st.Dim.Render("↑/↓ choose · tab complete · enter run · esc close"))
	return m.box("Command", lines, min(90, w-2))
}
