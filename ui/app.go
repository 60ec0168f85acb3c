// Package ui is the dashboard: it draws the record and the sources and
// routes keys to the verbs. Update never does I/O: journal reads, source
// snapshots and verbs all run in tea.Cmds and arrive as messages, so a hung
// dependency cannot delay a keypress.
package ui

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
)

// Deps is what the dashboard works with. main.go builds it.
type Deps struct {
	Ctx       context.Context
	Journal   *incident.Journal
	Author    string
	Config    *config.Config
	Pollers   []sources.Poller        // which rows each pane has, before data arrives
	Snapshots <-chan sources.Snapshot // nil when nothing is configured
	Actions   Actions                 // the verbs the dashboard can run
	ReadOnly  bool
	Drafts    *DraftSaver // keeps a note being typed safe across crashes
	Now       func() time.Time
	// Logger receives a warning for every Update or View slower than
	// slowFrame: the dashboard's promise is that nothing delays a key.
	Logger *slog.Logger
}

// Model is the root of the dashboard.
type Model struct {
	deps Deps
	st   Styles
	keys keyMap
	help help.Model

	w, h   int
	now    time.Time
	focus  paneID
	panes  [paneCount]pane
	layout layout

	rec       *incident.Record
	loaded    bool
	journal   *incident.Reader
	readErr   error
	data      sourceData
	pending   map[string]sources.Snapshot // newer values by source, shown at the next tick
	frame     string                      // the current frame; "" when it must be drawn again
	timeline  timelineView
	modal     modal
	toast     string
	toastErr  bool
	toastGen  int
	flagGen   int    // drops answers to a closed kill-switch dialog
	localTime bool   // show times in local time instead of UTC (t)
	sideFocus paneID // the tabbed pane shown beside the timeline in split mode
}

// New builds the dashboard.
func New(d Deps) *Model {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Ctx == nil {
		d.Ctx = context.Background()
	}
	m := &Model{
		deps:  d,
		st:    NewStyles(),
		keys:  newKeyMap(d.ReadOnly),
		help:  help.New(),
		now:   d.Now(),
		rec:   &incident.Record{},
		focus: paneTimeline,
		data:  newSourceData(d.Pollers),
	}
	for i := range m.panes {
		m.panes[i].id = paneID(i)
	}
	m.panes[paneTimeline].follow = true
	return m
}

// Init starts the journal reader, the snapshot listener and the clock.
// Nothing here waits on the terminal: the first frame is drawn as soon as
// the window size is known (an ioctl, not a terminal query).
func (m *Model) Init() tea.Cmd {
	r, err := m.deps.Journal.NewReader()
	if err != nil {
		m.readErr = err
	}
	m.journal = r
	cmds := []tea.Cmd{m.peekJournal(), tick()}
	if m.deps.Snapshots != nil {
		cmds = append(cmds, listen(m.deps.Snapshots))
	}
	if d := m.restoreDraft(); d != nil {
		cmds = append(cmds, d)
	}
	return tea.Batch(cmds...)
}

// peekJournal reads the journal's first and newest entries, so the first
// frame has the header and the latest rows even when the whole journal
// (100,000 entries) takes a while to load; loadJournal follows it.
func (m *Model) peekJournal() tea.Cmd {
	j := m.deps.Journal
	return func() tea.Msg {
		first, last, err := j.Peek(200)
		if err != nil || first.Seq == 0 {
			return peekedMsg{} // the full load will say what is wrong
		}
		return peekedMsg{rec: incident.NewRecord(append([]incident.Entry{first}, last...))}
	}
}

// loadJournal reads the whole journal and builds the record off the
// Update loop; the follower takes over from where it stopped.
func (m *Model) loadJournal() tea.Cmd {
	r := m.journal
	if r == nil {
		return nil
	}
	return func() tea.Msg {
		entries, err := r.Next()
		rec := incident.NewRecord(entries)
		if len(entries) > 20000 {
			// Decoding a large journal leaves a heap several times the
			// record's size; give it back now rather than whenever.
			entries = nil
			debug.FreeOSMemory()
		}
		return loadedMsg{rec: rec, err: err}
	}
}

// readJournal returns a Cmd that delivers the next batch of entries; after
// the first batch it waits between empty reads, so other processes'
// entries show up within FollowInterval.
func (m *Model) readJournal(wait bool) tea.Cmd {
	r, ctx := m.journal, m.deps.Ctx
	if r == nil {
		return nil
	}
	return func() tea.Msg {
		for {
			if wait {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(incident.FollowInterval):
				}
			}
			batch, err := r.Next()
			if err != nil || len(batch) > 0 || !wait {
				return entriesMsg{entries: batch, err: err}
			}
		}
	}
}

// listen delivers snapshots in batches: it blocks for one, then takes
// whatever else is already waiting, so 200 health checks cost one Update.
func listen(ch <-chan sources.Snapshot) tea.Cmd {
	return func() tea.Msg {
		s, ok := <-ch
		if !ok {
			return nil
		}
		batch := snapshotsMsg{s}
		for len(batch) < 512 {
			select {
			case s, ok := <-ch:
				if !ok {
					return batch
				}
				batch = append(batch, s)
			default:
				return batch
			}
		}
		return batch
	}
}

// tick fires on the next whole second, so the clock changes in step.
func tick() tea.Cmd {
	return tea.Tick(time.Until(time.Now().Truncate(time.Second).Add(time.Second)), func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update routes a message: resize → the open modal (it swallows keys) →
// global keys → the focused pane.
const slowFrame = 25 * time.Millisecond

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.deps.Logger != nil {
		defer m.warnIfSlow("update", fmt.Sprintf("%T", msg), time.Now())
	}
	// Bubble Tea asks for the view after every message; most messages
	// (a snapshot held for the next tick, a timer) change nothing, and a
	// 200x50 frame is not free to draw, so the last one is reused.
	prev := m.frame
	m.frame = ""
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.relayout()
		return m, nil
	case tickMsg:
		m.now = time.Time(msg)
		m.flushPending()
		return m, tick()
	case peekedMsg:
		if !m.loaded && msg.rec != nil {
			m.rec = msg.rec // provisional: milestones may be older than the window
			m.timeline.refilter(m.rec)
		}
		// The full load starts once the peek is drawn, so it cannot
		// compete with the first frame for the CPU.
		return m, m.loadJournal()
	case loadedMsg:
		if msg.err != nil {
			m.readErr = msg.err
		}
		m.rec, m.loaded = msg.rec, true
		m.timeline.refilter(m.rec)
		m.mergeChanges()
		return m, m.readJournal(true)
	case entriesMsg:
		return m, m.onEntries(msg)
	case snapshotsMsg:
		if !m.onSnapshots(msg) {
			m.frame = prev // held for the tick: nothing on screen changed
		}
		if m.deps.Snapshots == nil {
			return m, nil
		}
		return m, listen(m.deps.Snapshots)
	case loggedMsg:
		if msg.err != nil {
			return m, m.setToast("not saved: "+msg.err.Error(), true)
		}
		return m, m.setToast("saved as entry #"+itoa64(msg.seq)+" ("+string(msg.kind)+")", false)
	case exportedMsg:
		if msg.err != nil {
			return m, m.setToast("export failed: "+msg.err.Error(), true)
		}
		if msg.warning != nil {
			return m, m.setToast("postmortem written to "+msg.path+" — "+msg.warning.Error(), true)
		}
		return m, m.setToast("postmortem written to "+msg.path, false)
	case retriedMsg:
		if msg.err != nil {
			return m, m.setToast("retry: "+msg.err.Error(), true)
		}
		return m, m.setToast("status retry: "+itoa64(int64(len(msg.res.Outcomes)))+" target(s) attempted, all published", false)
	case suspectMsg:
		if msg.err != nil {
			return m, m.setToast(msg.err.Error(), true)
		}
		return m, m.setToast(msg.text, false)
	case draftRestoredMsg:
		if msg.err != nil {
			return m, m.setToast("could not read the saved draft: "+msg.err.Error(), true)
		}
		if msg.text != "" && m.modal == nil {
			m.openNote(msg.text)
			return m, m.setToast("restored the note you were typing when sitrep last stopped", false)
		}
		return m, nil
	case toastMsg:
		if msg.gen == m.toastGen {
			m.toast = ""
		}
		return m, nil
	}
	if m.modal != nil {
		next, cmd := m.modal.Update(m, msg)
		m.modal = next
		return m, cmd
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		return m, m.onKey(k)
	}
	return m, nil
}

// onSnapshots takes new source values. A source's first value, and a
// source going stale or recovering, are shown at once; other new values
// wait for the next clock tick, so the screen changes at most once a
// second however many sources poll (each frame costs the terminal bytes
// and the renderer a full diff), while keys still redraw immediately.
func (m *Model) onSnapshots(batch []sources.Snapshot) (shown bool) {
	var now []sources.Snapshot
	for _, s := range batch {
		prev, seen := m.data.snaps[s.ID]
		if seen && (prev.Err == nil) == (s.Err == nil) {
			if m.pending == nil {
				m.pending = map[string]sources.Snapshot{}
			}
			m.pending[s.ID] = s // the newest wins
			continue
		}
		delete(m.pending, s.ID)
		now = append(now, s)
	}
	m.applySnapshots(now)
	return len(now) > 0
}

// flushPending shows the values waiting for the tick (also before anything
// reads them: evidence for a flag change, a details dialog).
func (m *Model) flushPending() {
	if len(m.pending) == 0 {
		return
	}
	batch := make([]sources.Snapshot, 0, len(m.pending))
	for _, s := range m.pending {
		batch = append(batch, s)
	}
	clear(m.pending)
	m.applySnapshots(batch)
}

func (m *Model) applySnapshots(batch []sources.Snapshot) {
	if len(batch) == 0 {
		return
	}
	m.data.apply(batch)
	for _, s := range batch {
		if s.Kind == sources.KindChanges {
			m.mergeChanges()
			return
		}
	}
}

func (m *Model) onEntries(msg entriesMsg) tea.Cmd {
	if msg.err != nil {
		m.readErr = msg.err
	}
	shifted := false
	changed := false
	for _, e := range msg.entries {
		changed = changed || e.Kind == incident.KindChange
		m.rec.Add(e)
		// A back-filled entry lands in the middle, a redaction removes one:
		// either shifts the indices a filter keeps.
		if n := len(m.rec.Timeline); e.Kind == incident.KindRedact || (n > 0 && m.rec.Timeline[n-1].Seq != e.Seq) {
			shifted = true
		}
	}
	if shifted {
		m.timeline.refilter(m.rec)
	}
	if changed {
		m.mergeChanges()
	}
	return m.readJournal(true)
}

// setToast shows a result line in the footer that clears itself.
func (m *Model) setToast(s string, isErr bool) tea.Cmd {
	m.toast, m.toastErr = clean(s), isErr
	m.toastGen++
	gen := m.toastGen
	return tea.Tick(6*time.Second, func(time.Time) tea.Msg { return toastMsg{gen} })
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	switch {
	case key.Matches(k, km.Quit):
		return m.quit()
	case key.Matches(k, km.Help):
		m.modal = newHelpModal()
		return nil
	case key.Matches(k, km.LocalTime):
		m.localTime = !m.localTime
		return m.setToast("times shown in "+m.zone(), false)
	case key.Matches(k, km.Next):
		m.cycleFocus(1)
	case key.Matches(k, km.Prev):
		m.cycleFocus(-1)
	case key.Matches(k, km.Note):
		return m.openNote("")
	case key.Matches(k, km.Milestone):
		m.modal = newMilestoneModal()
		return nil
	case key.Matches(k, km.Palette):
		m.modal = newPalette(m)
		return nil
	case key.Matches(k, km.Filter):
		m.focus = paneTimeline
		m.relayout()
		m.modal = newFilterModal(m.timeline.filter)
		return nil
	case key.Matches(k, km.Export):
		return m.export()
	case key.Matches(k, km.Details):
		m.flushPending()
		m.modal = m.detailsModal()
		return nil
	case key.Matches(k, km.Kill):
		return m.startFlagChange("off")
	case key.Matches(k, km.Restore):
		return m.startFlagChange("restore")
	case key.Matches(k, km.Status):
		return m.openStatus()
	case key.Matches(k, km.Suspect):
		return m.markSuspect()
	default:
		m.movePane(k)
	}
	return nil
}

func (m *Model) movePane(k tea.KeyPressMsg) {
	km := m.keys
	p := &m.panes[m.focus]
	n := m.rowCount(m.focus)
	page := max(1, p.rows()-1)
	switch {
	case key.Matches(k, km.Up):
		p.move(-1, n)
	case key.Matches(k, km.Down):
		p.move(1, n)
	case key.Matches(k, km.PageUp):
		p.move(-page, n)
	case key.Matches(k, km.PageDown):
		p.move(page, n)
	case key.Matches(k, km.Top):
		p.home(n)
	case key.Matches(k, km.Bottom):
		p.end(n)
	}
}

func (m *Model) cycleFocus(d int) {
	order := m.layout.focusOrder()
	for i, id := range order {
		if id == m.focus {
			m.focus = order[(i+d+len(order))%len(order)]
			m.relayout()
			return
		}
	}
	m.focus = order[0]
	m.relayout()
}

// quit asks first only when something typed would be lost.
func (m *Model) quit() tea.Cmd {
	if m.modal != nil && m.modal.Dirty() {
		return nil
	}
	return tea.Quit
}

func (m *Model) warnIfSlow(what, detail string, start time.Time) {
	if d := time.Since(start); d > slowFrame {
		m.deps.Logger.Warn("slow "+what, "took", d, "msg", detail)
	}
}

// View draws the whole screen.
func (m *Model) View() tea.View {
	if m.frame == "" {
		if m.deps.Logger != nil {
			defer m.warnIfSlow("view", "", time.Now())
		}
		m.frame = m.render()
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.WindowTitle = "sitrep " + m.rec.ID
	return v
}

func (m *Model) render() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	if m.w < minWidth || m.h < minHeight {
		msg := "sitrep needs at least " + itoa64(minWidth) + "x" + itoa64(minHeight) + " (now " + itoa64(int64(m.w)) + "x" + itoa64(int64(m.h)) + ")"
		return fitBlock(msg, m.w, m.h)
	}
	var b strings.Builder
	b.WriteString(m.header())
	b.WriteByte('\n')
	b.WriteString(m.body())
	b.WriteByte('\n')
	b.WriteString(m.footer())
	screen := b.String()
	if m.modal != nil {
		screen = overlay(screen, m.modal.View(m, m.st, m.w, m.h), m.w, m.h)
	}
	return screen
}
