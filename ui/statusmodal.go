package ui

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/incident"
)

// The status-update editor (`s`): state, impact, title, body prefilled from
// the template for the next state, a components picker, then a preview
// exactly as customers will see it and a confirmed publish to every
// target. Drafts are journaled on ctrl+s, so a crash loses nothing saved.

const publishTimeout = 60 * time.Second

type statusLoadedMsg struct {
	d        incident.StatusData
	existing bool // an unpublished draft was reopened
	err      error
}

type statusSavedMsg struct {
	d   incident.StatusData
	err error
}

type statusPreviewMsg struct {
	pv  commands.Preview
	err error
}

type statusPublishedMsg struct {
	res commands.PublishResult
	err error
}

type statusStep int

const (
	statusLoading statusStep = iota
	statusEditing
	statusPreview
	statusPublishing
	statusDone
)

type statusField int

const (
	fieldState statusField = iota
	fieldImpact
	fieldTitle
	fieldBody
	fieldComponents
	fieldCount
)

type statusModal struct {
	step       statusStep
	field      statusField
	state      string
	impact     string
	title      textinput.Model
	body       textarea.Model
	components []incident.ComponentStatus
	compCursor int
	dirty      bool
	force      bool // the commander confirmed a backwards state
	warn       string
	err        error
	pv         commands.Preview
	res        commands.PublishResult
}

// openStatus opens the editor with the open draft, or a new draft from the
// template for the next state.
func (m *Model) openStatus() tea.Cmd {
	if m.deps.ReadOnly {
		return m.setToast("read-only mode: status updates are disabled", true)
	}
	sm := &statusModal{step: statusLoading}
	m.modal = sm
	j, tpls := m.deps.Journal, m.deps.Actions.Templates
	names := m.componentNames()
	return func() tea.Msg {
		entries, err := j.Load()
		if err != nil {
			return statusLoadedMsg{err: err}
		}
		if u := commands.ReadStatus(entries).OpenDraft(); u != nil {
			return statusLoadedMsg{d: u.Draft, existing: true}
		}
		state := commands.NextState(entries)
		body, err := commands.Template(tpls, entries, state, time.Now())
		d := incident.StatusData{State: state, Body: body}
		for _, n := range names {
			d.Components = append(d.Components, incident.ComponentStatus{Name: n, Status: "operational"})
		}
		if u := commands.ReadStatus(entries).LastPublished(); u != nil {
			d.Title, d.Impact = u.Draft.Title, u.Draft.Impact
			if len(u.Draft.Components) > 0 {
				d.Components = u.Draft.Components
			}
		} else {
			d.Title = incident.NewRecord(entries).Title
		}
		return statusLoadedMsg{d: d, err: err}
	}
}

// componentNames are the components the Statuspage targets know.
func (m *Model) componentNames() []string {
	seen := map[string]bool{}
	var names []string
	if m.deps.Config != nil {
		for _, t := range m.deps.Config.Status {
			for n := range t.Components {
				if !seen[n] {
					seen[n] = true
					names = append(names, n)
				}
			}
		}
	}
	sort.Strings(names)
	return names
}

func (s *statusModal) Dirty() bool { return s.dirty || s.step == statusPublishing }

func (s *statusModal) load(m *Model, d incident.StatusData) {
	s.state, s.impact, s.components = d.State, d.Impact, d.Components
	if s.state == "" {
		s.state = commands.States[0]
	}
	s.title = newInput("public title of the incident (first update)", min(80, m.w-12))
	s.title.SetValue(d.Title)
	s.title.Blur()
	s.body = textarea.New()
	s.body.SetWidth(min(80, m.w-12))
	s.body.SetHeight(max(3, min(8, m.h-22)))
	s.body.CharLimit = commands.MaxStatusBody
	s.body.SetValue(d.Body)
	s.field = fieldBody
	s.body.Focus()
	s.step = statusEditing
}

func (s *statusModal) data() incident.StatusData {
	return incident.StatusData{State: s.state, Impact: s.impact, Title: strings.TrimSpace(s.title.Value()),
		Body: strings.TrimSpace(s.body.Value()), Components: s.components}
}

func (s *statusModal) Update(m *Model, msg tea.Msg) (modal, tea.Cmd) {
	switch msg := msg.(type) {
	case statusLoadedMsg:
		if msg.err != nil && msg.d.State == "" {
			s.err, s.step = msg.err, statusDone
			return s, nil
		}
		s.load(m, msg.d)
		if msg.existing {
			s.warn = "reopened the unpublished draft"
		}
		if msg.err != nil {
			s.warn = "template: " + msg.err.Error()
		}
		return s, nil
	case statusSavedMsg:
		var back *commands.BackwardsError
		switch {
		case errors.As(msg.err, &back):
			s.warn = "The page last said " + back.From + "; going back to " + back.To + " tells customers it got worse. ctrl+s again to confirm."
			s.force = true
		case msg.err != nil:
			s.warn, s.err = "", msg.err
		default:
			s.dirty, s.err, s.warn = false, nil, "draft saved to the journal"
		}
		return s, nil
	case statusPreviewMsg:
		if msg.err != nil {
			s.err = msg.err
			return s, nil
		}
		s.pv, s.step, s.err = msg.pv, statusPreview, nil
		return s, nil
	case statusPublishedMsg:
		s.res, s.err, s.step = msg.res, msg.err, statusDone
		if msg.err == nil {
			msg.err = msg.res.Err()
		}
		if msg.err != nil {
			return s, m.setToast("status update: "+msg.err.Error()+" (queued: sitrep status retry, or : status)", true)
		}
		return s, m.setToast("status update published to every target", false)
	case tea.KeyPressMsg:
		return s.onKey(m, msg)
	}
	return s.forward(msg)
}

func (s *statusModal) forward(msg tea.Msg) (modal, tea.Cmd) {
	var cmd tea.Cmd
	switch s.field {
	case fieldTitle:
		s.title, cmd = s.title.Update(msg)
	case fieldBody:
		s.body, cmd = s.body.Update(msg)
	}
	return s, cmd
}

func (s *statusModal) onKey(m *Model, k tea.KeyPressMsg) (modal, tea.Cmd) {
	switch s.step {
	case statusLoading, statusPublishing:
		return s, nil
	case statusDone:
		return nil, nil
	case statusPreview:
		switch k.String() {
		case "esc":
			s.step = statusEditing
		case "enter":
			s.step = statusPublishing
			return s, s.publish(m)
		}
		return s, nil
	}
	switch k.String() {
	case "esc":
		if s.dirty && s.warn != "unsaved" {
			s.warn = "unsaved"
			return s, nil
		}
		return nil, nil
	case "tab", "shift+tab":
		d := 1
		if k.String() == "shift+tab" {
			d = -1
		}
		s.focusField(statusField((int(s.field) + d + int(fieldCount)) % int(fieldCount)))
		return s, nil
	case "ctrl+s":
		return s, s.save(m)
	case "ctrl+p":
		return s, tea.Sequence(s.save(m), s.preview(m))
	}
	switch s.field {
	case fieldState:
		s.state = cycle(commands.States, s.state, k.String())
		s.dirty = true
		return s, nil
	case fieldImpact:
		s.impact = cycle(append([]string{""}, commands.Impacts...), s.impact, k.String())
		s.dirty = true
		return s, nil
	case fieldComponents:
		switch k.String() {
		case "up", "k":
			s.compCursor = max(0, s.compCursor-1)
		case "down", "j":
			s.compCursor = min(len(s.components)-1, s.compCursor+1)
		default:
			if len(s.components) > 0 {
				c := &s.components[s.compCursor]
				c.Status = cycle(commands.ComponentStatuses, c.Status, k.String())
				s.dirty = true
			}
		}
		return s, nil
	}
	s.dirty = true
	return s.forward(k)
}

// cycle moves through values with left/right (or h/l, space).
func cycle(values []string, cur, key string) string {
	i := 0
	for j, v := range values {
		if v == cur {
			i = j
		}
	}
	switch key {
	case "right", "l", "space":
		i = (i + 1) % len(values)
	case "left", "h":
		i = (i - 1 + len(values)) % len(values)
	}
	return values[i]
}

func (s *statusModal) focusField(f statusField) {
	s.field = f
	s.title.Blur()
	s.body.Blur()
	switch f {
	case fieldTitle:
		s.title.Focus()
	case fieldBody:
		s.body.Focus()
	}
}

func (s *statusModal) save(m *Model) tea.Cmd {
	j, author, d, force := m.deps.Journal, m.deps.Author, s.data(), s.force
	return func() tea.Msg {
		_, saved, err := commands.Draft(j, commands.DraftOptions{State: d.State, Impact: d.Impact, Title: d.Title, Body: d.Body,
			Components: d.Components, Force: force, Author: author})
		return statusSavedMsg{d: saved, err: err}
	}
}

func (s *statusModal) preview(m *Model) tea.Cmd {
	j, targets := m.deps.Journal, m.deps.Actions.StatusTargets
	return func() tea.Msg {
		pv, err := commands.PreviewStatus(j, targets, time.Now())
		return statusPreviewMsg{pv: pv, err: err}
	}
}

func (s *statusModal) publish(m *Model) tea.Cmd {
	j, targets, author, pv, ctx := m.deps.Journal, m.deps.Actions.StatusTargets, m.deps.Author, s.pv, m.deps.Ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, publishTimeout)
		defer cancel()
		res, err := commands.Publish(ctx, j, commands.PublishOptions{Targets: targets, Seen: &pv, Author: author})
		return statusPublishedMsg{res: res, err: err}
	}
}

func (s *statusModal) View(m *Model, st Styles, w, h int) string {
	width := min(86, w-4)
	var lines []string
	label := func(f statusField, name, value string) string {
		l := fit(name, 11) + value
		if s.field == f {
			return st.Selected.Render(fit(name, 11)) + value
		}
		return l
	}
	switch s.step {
	case statusLoading:
		lines = append(lines, "loading the template and the last update…")
	case statusEditing:
		lines = append(lines,
			label(fieldState, "state", "◀ "+s.state+" ▶"),
			label(fieldImpact, "impact", "◀ "+orDash(s.impact)+" ▶"),
			label(fieldTitle, "title", s.title.View()),
			label(fieldBody, "body", ""),
			s.body.View(),
			label(fieldComponents, "components", ""))
		if len(s.components) == 0 {
			lines = append(lines, st.Dim.Render("  none configured (status: components: in sitrep.yaml)"))
		}
		for i, c := range s.components {
			l := "  " + fit(clean(c.Name), 24) + " ◀ " + commands.ComponentLabel(c.Status) + " ▶"
			if s.field == fieldComponents && i == s.compCursor {
				l = st.Selected.Render(l)
			}
			lines = append(lines, l)
		}
		lines = append(lines, "", st.Dim.Render(itoa64(int64(commands.Chars(s.data())))+" chars · tab field · ←/→ change · ctrl+s save draft · ctrl+p preview & publish · esc close"))
	case statusPreview:
		lines = append(lines, st.Bold.Render("Exactly as it will be published:"), "")
		for _, l := range strings.Split(s.pv.Plain, "\n") {
			lines = append(lines, wrap(clean(l), width-2)...)
		}
		lines = append(lines, "", itoa64(int64(s.pv.Chars))+" characters. Targets:")
		for _, t := range s.pv.Targets {
			l := "  " + clean(t.Name) + " (" + clean(t.Provider) + "): " + clean(t.Action)
			if t.Problem != "" {
				l = st.Error.Render("  ✖ " + clean(t.Name) + ": " + clean(t.Problem))
			}
			lines = append(lines, l)
		}
		if len(s.pv.Targets) == 0 {
			lines = append(lines, st.Warn.Render("  no status target configured (status: in sitrep.yaml); publishing only journals it"))
		}
		lines = append(lines, "", st.Danger.Render(" enter: PUBLISH to customers ")+st.Dim.Render(" · esc back to editing"))
	case statusPublishing:
		lines = append(lines, "publishing to every target… (each has its own timeout; results are journaled)")
	case statusDone:
		if s.err != nil {
			lines = append(lines, st.Error.Render("✖ "+clean(s.err.Error())))
		}
		for _, o := range s.res.Outcomes {
			switch {
			case o.Err != nil:
				lines = append(lines, st.Error.Render("✖ "+clean(o.Target)+": "+clean(o.Err.Error())+" — queued for retry"))
			case o.Skipped != "":
				lines = append(lines, st.Dim.Render("· "+clean(o.Target)+": "+clean(o.Skipped)))
			default:
				lines = append(lines, st.OK.Render("✓ "+clean(o.Target)+" "+clean(o.Ref)))
			}
		}
		lines = append(lines, "", st.Dim.Render("any key closes"))
	}
	if s.err != nil && s.step != statusDone {
		for _, l := range wrap("✖ "+clean(s.err.Error()), width) {
			lines = append(lines, st.Error.Render(l))
		}
	}
	if s.warn != "" && s.step == statusEditing {
		w := s.warn
		if w == "unsaved" {
			w = "Unsaved changes: ctrl+s saves the draft, esc again discards them."
		}
		for _, l := range wrap(clean(w), width) {
			lines = append(lines, st.Warn.Render(l))
		}
	}
	if len(lines) > h-4 {
		lines = lines[:max(1, h-4)]
	}
	return m.box("Status update", lines, width+4)
}

func orDash(s string) string {
	if s == "" {
		return "— (page decides)"
	}
	return s
}
