package ui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/incident"
)

// The kill switch in the dashboard: the same commands.FlagSwitch as
// `sitrep flag off`, in three steps — preview, type the key to confirm,
// apply + verify — each off the Update loop with its own timeout.

const previewTimeout = 10 * time.Second

type flagPreviewMsg struct {
	gen int
	pv  commands.FlagPreview
	err error
}

type flagAppliedMsg struct {
	gen int
	out commands.FlagOutcome
	err error
}

type flagStep int

const (
	flagLoading flagStep = iota
	flagConfirm
	flagApplying
	flagDone
)

type flagModal struct {
	gen     int
	action  string
	name    string
	step    flagStep
	pv      commands.FlagPreview
	err     error
	out     commands.FlagOutcome
	confirm textinput.Model
	reason  textinput.Model
	onKey   bool // which input has focus: true = confirm, false = reason
	spin    spinner.Model
	started time.Time
}

// startFlagChange opens the kill-switch (or restore) flow for the selected
// flag in the Flags pane.
func (m *Model) startFlagChange(action string) tea.Cmd {
	if m.deps.ReadOnly {
		return m.setToast("read-only mode: flag changes are disabled", true)
	}
	fs := m.deps.Actions.Flags
	if fs == nil || len(fs.Providers) == 0 {
		return m.setToast("no flag provider configured (flags: in sitrep.yaml)", true)
	}
	if m.focus != paneFlags || len(m.data.flags) == 0 {
		m.focus = paneFlags
		m.relayout()
		return m.setToast("select a flag in the Flags pane, then press K (kill) or R (restore)", true)
	}
	f := m.data.flags[m.panes[paneFlags].cursor]
	m.flagGen++
	fm := &flagModal{gen: m.flagGen, action: action, name: f.Source + "/" + f.Key, spin: spinner.New(spinner.WithSpinner(spinner.Dot)), started: m.now}
	m.modal = fm
	req := commands.FlagRequest{Name: f.Key, Provider: f.Source, Action: action}
	ctx, gen := m.deps.Ctx, fm.gen
	return tea.Batch(fm.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, previewTimeout)
		defer cancel()
		pv, err := fs.Preview(ctx, req)
		return flagPreviewMsg{gen: gen, pv: pv, err: err}
	})
}

func (f *flagModal) Dirty() bool { return f.step == flagApplying }

func (f *flagModal) Update(m *Model, msg tea.Msg) (modal, tea.Cmd) {
	switch msg := msg.(type) {
	case flagPreviewMsg:
		if msg.gen != f.gen {
			return f, nil // a late answer to a closed dialog
		}
		f.pv, f.err = msg.pv, msg.err
		if f.err != nil {
			f.step = flagDone
			return f, nil
		}
		f.step = flagConfirm
		f.confirm = newInput("type the flag key: "+f.pv.Key, 40)
		f.reason = newInput("reason (goes into the journal and the provider's audit log)", 60)
		f.reason.Blur()
		f.onKey = true
		return f, nil
	case flagAppliedMsg:
		if msg.gen != f.gen {
			return f, nil
		}
		f.out, f.err, f.step = msg.out, msg.err, flagDone
		text := incident.Describe(msg.out.Entry)
		if msg.err != nil {
			return f, m.setToast("flag change failed: "+msg.err.Error(), true)
		}
		return f, m.setToast(text, false)
	case spinner.TickMsg:
		if f.step == flagLoading || f.step == flagApplying {
			var cmd tea.Cmd
			f.spin, cmd = f.spin.Update(msg)
			return f, cmd
		}
		return f, nil
	case tea.KeyPressMsg:
		return f.onKeyPress(m, msg)
	}
	return f, nil
}

func (f *flagModal) onKeyPress(m *Model, k tea.KeyPressMsg) (modal, tea.Cmd) {
	switch f.step {
	case flagLoading:
		if key.Matches(k, escKey) {
			return nil, nil
		}
		return f, nil
	case flagApplying:
		return f, nil // the change is under way; its result will be journaled either way
	case flagDone:
		return nil, nil
	}
	switch {
	case key.Matches(k, escKey):
		return nil, nil
	case k.String() == "tab" || k.String() == "shift+tab":
		f.onKey = !f.onKey
		if f.onKey {
			f.reason.Blur()
			return f, f.confirm.Focus()
		}
		f.confirm.Blur()
		return f, f.reason.Focus()
	case key.Matches(k, enterKey):
		if f.pv.NoOp || !commands.ConfirmFlag(f.confirm.Value(), f.pv.Key) {
			return f, nil
		}
		return f, f.apply(m)
	}
	var cmd tea.Cmd
	if f.onKey {
		f.confirm, cmd = f.confirm.Update(k)
	} else {
		f.reason, cmd = f.reason.Update(k)
	}
	return f, cmd
}

// apply runs the change. The evidence is the metrics as the commander
// sees them at the moment of confirming, copied here so the Cmd's
// goroutine never touches the model.
func (f *flagModal) apply(m *Model) tea.Cmd {
	f.step = flagApplying
	f.started = m.now
	pv := f.pv
	pv.Request.Reason = strings.TrimSpace(f.reason.Value())
	m.flushPending()
	evidence := m.data.evidence()
	fs, ctx, gen := m.deps.Actions.Flags, m.deps.Ctx, f.gen
	return tea.Batch(f.spin.Tick, func() tea.Msg {
		out, err := fs.Apply(ctx, pv, func() []incident.MetricReading { return evidence })
		return flagAppliedMsg{gen: gen, out: out, err: err}
	})
}

func (f *flagModal) View(m *Model, st Styles, w, h int) string {
	verb := map[string]string{"off": "Kill switch", "on": "Turn on", "restore": "Restore"}[f.action]
	title := verb + ": " + clean(f.name)
	var lines []string
	switch f.step {
	case flagLoading:
		lines = append(lines, f.spin.View()+" reading the flag…", "", st.Dim.Render("esc cancel"))
	case flagConfirm:
		for _, l := range f.pv.Lines() {
			lines = append(lines, clean(l))
		}
		for _, wn := range f.pv.Warnings {
			lines = append(lines, st.Warn.Render("▲ "+clean(wn)))
		}
		lines = append(lines, "")
		if f.pv.NoOp {
			lines = append(lines, st.Warn.Render("The flag is already "+clean(f.pv.After)+": nothing to do."), st.Dim.Render("esc close"))
			break
		}
		lines = append(lines, st.Danger.Render(" This changes production. Type the flag key to confirm: "), f.confirm.View(), f.reason.View(), "")
		ok := commands.ConfirmFlag(f.confirm.Value(), f.pv.Key)
		hint := "enter is disabled until the key matches · tab reason · esc cancel"
		if ok {
			hint = st.Danger.Render(" enter: "+strings.ToUpper(f.action)+" NOW ") + st.Dim.Render(" · esc cancel")
		}
		lines = append(lines, hint)
	case flagApplying:
		lines = append(lines, f.spin.View()+" applying and verifying… "+age(m.now, f.started), st.Dim.Render("the result is journaled whatever happens"))
	case flagDone:
		if f.err != nil && f.out.Entry.Seq == 0 {
			lines = append(lines, st.Error.Render("✖ "+clean(f.err.Error())))
		} else {
			d := f.out.Data
			style, mark := st.OK, "✓ "
			if f.err != nil || d.Result == "failed" {
				style, mark = st.Error, "✖ "
			} else if !d.Verified {
				style, mark = st.Warn, "▲ "
			}
			lines = append(lines, style.Render(mark+incident.Describe(f.out.Entry)))
			for _, n := range f.out.Notes {
				lines = append(lines, "  "+clean(n))
			}
			if f.err != nil {
				lines = append(lines, st.Error.Render(clean(f.err.Error())))
			}
			lines = append(lines, st.Dim.Render("journaled as entry #"+itoa64(f.out.Entry.Seq)))
		}
		lines = append(lines, "", st.Dim.Render("any key closes"))
	}
	return m.box(title, wrapLines(lines, min(86, w-6)), min(90, w-2))
}

// wrapLines wraps each line to width, keeping styled lines as they are.
func wrapLines(lines []string, width int) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "\x1b") || len(l) <= width {
			out = append(out, l)
			continue
		}
		out = append(out, wrap(l, width)...)
	}
	return out
}
