package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/flags"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/metric"
)

// harness drives a Model the way Bubble Tea does, synchronously: messages
// in, commands run (those that would block, like the journal follower, are
// dropped after a short wait), screen out.
type harness struct {
	t *testing.T
	m *Model
	j *incident.Journal
}

func newHarness(t *testing.T, mod func(*Deps)) *harness {
	t.Helper()
	s := incident.Store{Dir: t.TempDir()}
	j, _, err := s.Create("Checkout 5xx", 2, "ic@bastion", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	d := Deps{Ctx: context.Background(), Journal: j, Author: "ic@bastion", Config: &config.Config{}}
	if mod != nil {
		mod(&d)
	}
	h := &harness{t: t, m: New(d), j: j}
	h.m.Init()
	h.send(tea.WindowSizeMsg{Width: 120, Height: 30})
	h.sync()
	return h
}

// sync feeds the journal's new entries to the model, as the follower would.
func (h *harness) sync() {
	h.t.Helper()
	batch, err := h.m.journal.Next()
	if err != nil {
		h.t.Fatal(err)
	}
	h.m.Update(entriesMsg{entries: batch})
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd, 0)
}

// run executes cmd and feeds its message back, recursively; a command that
// does not answer within 300 ms (a ticker, a follower) is abandoned.
func (h *harness) run(cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 8 {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(300 * time.Millisecond):
		return
	}
	switch msg := msg.(type) {
	case nil, tickMsg, toastMsg, entriesMsg:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c, depth+1)
		}
	default:
		// tea.Sequence's message is an unexported []tea.Cmd: run in order.
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
			for i := 0; i < v.Len(); i++ {
				h.run(v.Index(i).Interface().(tea.Cmd), depth+1)
			}
			return
		}
		_, next := h.m.Update(msg)
		h.run(next, depth+1)
	}
}

func (h *harness) key(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typeText types into the focused input. Typing only ever returns the
// cursor's blink timer, so its commands are not run.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func (h *harness) screen() string { return ansi.Strip(h.m.render()) }

func (h *harness) entries() []incident.Entry {
	h.t.Helper()
	es, err := h.j.Load()
	if err != nil {
		h.t.Fatal(err)
	}
	return es
}

func TestEveryLayoutFillsTheScreenExactly(t *testing.T) {
	h := newHarness(t, nil)
	for _, size := range [][2]int{{40, 10}, {80, 24}, {100, 24}, {120, 30}, {200, 50}, {39, 9}, {1, 1}, {300, 80}} {
		for focus := paneMetrics; focus < paneCount; focus++ {
			h.m.focus = focus
			h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			out := h.m.render()
			lines := strings.Split(out, "\n")
			if len(lines) != size[1] {
				t.Fatalf("%dx%d focus %v: %d lines", size[0], size[1], focus, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != size[0] {
					t.Fatalf("%dx%d focus %v: line %d is %d wide: %q", size[0], size[1], focus, i, w, ansi.Strip(l))
				}
			}
		}
	}
}

func TestEveryPaneIsReachableAt80x24AndVisibleAt200x50(t *testing.T) {
	h := newHarness(t, nil)
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	seen := map[string]bool{}
	for i := 0; i < int(paneCount); i++ {
		for _, l := range strings.Split(h.screen(), "\n") {
			if strings.Contains(l, "┌▶") {
				seen[strings.Fields(strings.TrimPrefix(l, "┌▶"))[0]] = true
			}
		}
		h.key("tab")
	}
	for id := paneMetrics; id < paneCount; id++ {
		if !seen[id.String()] {
			t.Errorf("pane %s never focused at 80x24 (saw %v)", id, seen)
		}
	}
	h.send(tea.WindowSizeMsg{Width: 200, Height: 50})
	s := h.screen()
	for id := paneMetrics; id < paneCount; id++ {
		if !strings.Contains(s, id.String()) {
			t.Errorf("pane %s not visible at 200x50", id)
		}
	}
}

func TestUnconfiguredPanesSayHowToConfigureThem(t *testing.T) {
	h := newHarness(t, nil)
	h.send(tea.WindowSizeMsg{Width: 200, Height: 50})
	s := h.screen()
	for _, want := range []string{"No metrics configured", "No health checks configured", "Alertmanager not configured", "No flag provider configured", "GitHub not configured"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q", want)
		}
	}
}

func TestNoteIsJournaledOnEnterAndShownLive(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.Drafts = NewDraftSaver(t.TempDir(), "ic") })
	h.key("n")
	h.typeText("rolled back deploy 142")
	if !strings.Contains(h.screen(), "New note") {
		t.Fatal("note dialog not open")
	}
	h.key("enter")
	es := h.entries()
	last := es[len(es)-1]
	if last.Kind != incident.KindNote || last.Text != "rolled back deploy 142" || last.Author != "ic@bastion" {
		t.Fatalf("last entry = %+v", last)
	}
	h.sync()
	if !strings.Contains(h.screen(), "rolled back deploy 142") {
		t.Error("the note is not in the timeline")
	}
	if !strings.Contains(h.screen(), "saved as entry #2") {
		t.Error("no confirmation in the footer")
	}
}

func TestMilestoneChangesTheHeaderState(t *testing.T) {
	h := newHarness(t, nil)
	h.key("m", "2")
	h.typeText("async writes hold connections")
	h.key("enter")
	h.sync()
	if last := h.entries()[len(h.entries())-1]; last.Kind != incident.KindIdentified {
		t.Fatalf("last entry kind %s, want identified", last.Kind)
	}
	if head := strings.Split(h.screen(), "\n")[0]; !strings.Contains(head, "identified") {
		t.Errorf("header %q does not say identified", head)
	}
}

func TestEntriesFromAnotherProcessAppear(t *testing.T) {
	h := newHarness(t, nil)
	other, err := incident.OpenJournal(h.j.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Append(incident.Draft{Kind: incident.KindNote, Text: "from the other bastion session", Author: "bob"}); err != nil {
		t.Fatal(err)
	}
	// The real follower: the Cmd returned after a batch waits and reads.
	start := time.Now()
	msg := h.m.readJournal(true)()
	h.m.Update(msg)
	if time.Since(start) > time.Second {
		t.Errorf("follower took %v", time.Since(start))
	}
	if !strings.Contains(h.screen(), "from the other bastion session") {
		t.Error("other process's entry not shown")
	}
}

func TestFilterShowsOnlyMatchingEntries(t *testing.T) {
	h := newHarness(t, nil)
	for _, s := range []string{"disk full on db-2", "cache warm", "disk cleaned"} {
		commands.Log(h.j, commands.LogOptions{Text: s, Author: "a"})
	}
	h.sync()
	h.key("/")
	h.typeText("disk")
	h.key("enter")
	s := h.screen()
	if !strings.Contains(s, "disk full") || !strings.Contains(s, "disk cleaned") || strings.Contains(s, "cache warm") {
		t.Fatalf("filtered timeline wrong:\n%s", s)
	}
	h.key("/", "esc")
	if !strings.Contains(h.screen(), "cache warm") {
		t.Error("esc did not clear the filter")
	}
}

func TestQuitAsksOnlyWithAnUnsavedNote(t *testing.T) {
	h := newHarness(t, nil)
	if _, cmd := h.m.Update(keyMsg("q")); cmd == nil {
		t.Fatal("q did not quit with nothing unsaved")
	}
	h.key("n")
	h.typeText("half a thought")
	_, cmd := h.m.Update(keyMsg("ctrl+c"))
	if cmd != nil {
		t.Fatal("ctrl+c quit at once with an unsaved note")
	}
	if !strings.Contains(h.screen(), "Unsaved note") {
		t.Error("no warning about the unsaved note")
	}
	if _, cmd := h.m.Update(keyMsg("ctrl+c")); cmd == nil {
		t.Error("second ctrl+c did not quit")
	}
}

func TestTypedNoteSurvivesACrash(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, func(d *Deps) { d.Drafts = NewDraftSaver(dir, "ic") })
	h.key("n")
	h.typeText("the primary is swapping")
	// Crash: nobody closes anything. The saver wrote on its own goroutine.
	path := h.m.deps.Drafts.Path()
	deadline := time.Now().Add(2 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if string(b) == "the primary is swapping" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("draft file has %q", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	h2 := newHarness(t, func(d *Deps) { d.Drafts = NewDraftSaver(dir, "ic") })
	h2.run(h2.m.restoreDraft(), 0)
	if !strings.Contains(h2.screen(), "the primary is swapping") || !strings.Contains(h2.screen(), "restored the note") {
		t.Fatalf("draft not restored:\n%s", h2.screen())
	}
	h2.key("enter")
	if last := h2.entries()[len(h2.entries())-1]; last.Text != "the primary is swapping" {
		t.Fatalf("restored note not saved: %+v", last)
	}
	h2.m.deps.Drafts.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("draft file kept after the note was saved")
	}
}

const flagdJSON = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "async-writes": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"}
  }
}
`

func TestKillSwitchNeedsTheTypedKeyThenJournalsAndChangesTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flags.json")
	os.WriteFile(path, []byte(flagdJSON), 0o644)
	providers, err := flags.Build([]config.FlagProvider{{Provider: "file", Name: "flagd", Path: path, Timeout: config.Duration(time.Second), Interval: config.Duration(2 * time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(d *Deps) {
		d.Pollers = []sources.Poller{flags.Poller(providers[0])}
	})
	h.m.deps.Actions.Flags = &commands.FlagSwitch{Providers: providers, Journal: h.j, Author: "ic@bastion"}
	// A snapshot from the real poller.
	p := flags.Poller(providers[0])
	v, err := p.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h.send(snapshotsMsg{{ID: p.ID(), Kind: p.Kind(), Value: v, GoodAt: time.Now(), FetchedAt: time.Now()}})
	h.send(snapshotsMsg{{ID: "metric/p99", Kind: sources.KindMetric, Value: metric.Value{Name: "p99", Current: 4.2, Unit: "s", State: metric.Crit}, GoodAt: time.Now()}})
	h.m.focus = paneFlags
	h.m.relayout()

	h.key("K")
	if !strings.Contains(h.screen(), "Type the flag key to confirm") {
		t.Fatalf("no confirm step:\n%s", h.screen())
	}
	h.typeText("async-write") // one letter short
	h.key("enter")
	if b, _ := os.ReadFile(path); string(b) != flagdJSON {
		t.Fatal("the flag changed without the exact key typed")
	}
	h.typeText("s")
	h.key("enter")
	if !strings.Contains(h.screen(), "journaled as entry") {
		t.Fatalf("no result:\n%s", h.screen())
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"defaultVariant": "off"`) {
		t.Fatalf("file not changed:\n%s", b)
	}
	last := h.entries()[len(h.entries())-1]
	var fd incident.FlagData
	if last.Kind != incident.KindFlag || last.Decode(&fd) != nil || !fd.Verified || fd.Result != "applied" {
		t.Fatalf("flag entry = %+v %+v", last, fd)
	}
	if len(fd.Evidence) != 1 || fd.Evidence[0].Name != "p99" || fd.Evidence[0].State != "crit" {
		t.Errorf("evidence = %+v, want the p99 reading the commander saw", fd.Evidence)
	}
}

func TestOutsideStringsCannotInjectEscapes(t *testing.T) {
	evil := "x\x1b]0;owned\x07\x1b[2J\u202etxt"
	h := newHarness(t, func(d *Deps) {
		d.Pollers = nil
	})
	h.send(snapshotsMsg{
		{ID: "metric/" + evil, Kind: sources.KindMetric, Value: metric.Value{Name: evil, Unit: evil, Current: 1, State: metric.OK, Note: evil}, GoodAt: time.Now()},
		{ID: "health/h", Kind: sources.KindHealth, Value: health.Result{Name: evil, State: health.Down, Reason: evil}, GoodAt: time.Now()},
		{ID: "flags/f", Kind: sources.KindFlags, Value: []flags.Flag{{Source: evil, Key: evil, State: evil}}, GoodAt: time.Now()},
	})
	commands.Log(h.j, commands.LogOptions{Text: evil, Author: evil})
	h.sync()
	for _, size := range [][2]int{{200, 50}, {80, 24}} {
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for f := paneMetrics; f < paneCount; f++ {
			h.m.focus = f
			h.m.relayout()
			raw := h.m.render()
			for _, bad := range []string{"\x1b]", "\x1b[2J", "\u202e", "\x07"} {
				if strings.Contains(raw, bad) {
					t.Fatalf("%dx%d focus %v: screen contains %q", size[0], size[1], f, bad)
				}
			}
		}
	}
	h.m.focus = paneTimeline
	h.key("enter") // details of the entry
	if strings.Contains(h.m.render(), "\x1b]") {
		t.Fatal("details dialog leaks an escape")
	}
}

func TestStaleSourceShowsItsAgeAndError(t *testing.T) {
	h := newHarness(t, nil)
	now := time.Now()
	h.m.now = now
	h.send(snapshotsMsg{{ID: "metric/rps", Kind: sources.KindMetric, Value: metric.Value{Name: "rps", Current: 10, State: metric.OK},
		GoodAt: now.Add(-42 * time.Second), FetchedAt: now, Err: context.DeadlineExceeded, Failures: 3}})
	h.send(tea.WindowSizeMsg{Width: 200, Height: 50})
	s := h.screen()
	if !strings.Contains(s, "stale 42s") || !strings.Contains(s, "? 1 stale") {
		t.Fatalf("stale marker missing:\n%s", s)
	}
	h.m.focus = paneMetrics
	h.key("enter")
	if d := h.screen(); !strings.Contains(d, "failing (3 in a row): context deadline exceeded") || !strings.Contains(d, "last good value: 42s ago") {
		t.Fatalf("details do not explain the failure:\n%s", d)
	}
}

func TestViewCostDoesNotGrowWithTheJournal(t *testing.T) {
	small := newHarness(t, nil)
	big := newHarness(t, nil)
	for i := 0; i < 20000; i++ {
		big.m.rec.Add(incident.Entry{Seq: int64(i + 2), At: time.Now(), Kind: incident.KindNote, Text: "entry"})
	}
	measure := func(h *harness) time.Duration {
		start := time.Now()
		for i := 0; i < 50; i++ {
			h.m.render()
		}
		return time.Since(start)
	}
	measure(small)
	s, b := measure(small), measure(big)
	if b > 5*s+20*time.Millisecond {
		t.Fatalf("rendering with 20k entries took %v vs %v with 1", b, s)
	}
}

func TestMarkingAChangeSuspectJournalsItAndShowsItFirst(t *testing.T) {
	h := newHarness(t, nil)
	now := time.Now().UTC()
	h.send(snapshotsMsg{{ID: "github/acme/api", Kind: sources.KindChanges, GoodAt: now, Value: []incident.ChangeData{
		{Repo: "acme/api", Kind: "deploy", Title: "deploy 142", Ref: "142", At: now.Add(-5 * time.Minute), Status: "success"},
		{Repo: "acme/api", Kind: "pr", Title: "async writes", Ref: "77", At: now.Add(-40 * time.Minute)},
	}}})
	h.m.focus = paneChanges
	h.m.relayout()
	h.key("down", "x") // the older PR
	es := h.entries()
	var c incident.ChangeData
	if last := es[len(es)-1]; last.Kind != incident.KindChange || last.Decode(&c) != nil || !c.Suspect || c.Ref != "77" {
		t.Fatalf("last entry = %+v", last)
	}
	h.sync()
	if first := h.m.data.changes[0]; first.Ref != "77" || !first.Suspect {
		t.Fatalf("suspect not first: %+v", h.m.data.changes)
	}
	if !strings.Contains(h.screen(), "suspect acme/api: async writes") {
		t.Errorf("pane does not show the suspect:\n%s", h.screen())
	}
}

func TestNewerValuesWaitForTheClockTick(t *testing.T) {
	h := newHarness(t, nil)
	snap := func(v float64) snapshotsMsg {
		return snapshotsMsg{{ID: "metric/rps", Kind: sources.KindMetric, Value: metric.Value{Name: "rps", Current: v, State: metric.OK}, GoodAt: time.Now()}}
	}
	h.m.Update(snap(111))
	if !strings.Contains(h.screen(), "111") {
		t.Fatal("the first value is not shown at once")
	}
	h.m.Update(snap(222))
	if strings.Contains(h.screen(), "222") {
		t.Fatal("a newer value redrew the screen before the tick")
	}
	h.m.Update(tickMsg(time.Now()))
	if !strings.Contains(h.screen(), "222") {
		t.Fatal("the tick did not show the newer value")
	}
}

func TestASourceGoingStaleShowsAtOnce(t *testing.T) {
	h := newHarness(t, nil)
	h.m.focus = paneHealth
	h.m.relayout()
	good := sources.Snapshot{ID: "health/api", Kind: sources.KindHealth, Value: health.Result{Name: "api", State: health.Up}, GoodAt: time.Now()}
	h.m.Update(snapshotsMsg{good})
	bad := good
	bad.Err, bad.Failures = context.DeadlineExceeded, 1
	h.m.Update(snapshotsMsg{bad})
	if !strings.Contains(h.screen(), "stale") {
		t.Fatalf("a source that just failed waits for the tick:\n%s", h.screen())
	}
}

func TestTTogglesTimesBetweenUTCAndLocal(t *testing.T) {
	loc := time.Local
	time.Local = time.FixedZone("XST", 3*3600)
	defer func() { time.Local = loc }()
	h := newHarness(t, nil)
	h.m.now = time.Date(2026, 5, 11, 5, 45, 0, 0, time.UTC)
	if head := strings.Split(h.screen(), "\n")[0]; !strings.Contains(head, "05:45:00 UTC") {
		t.Fatalf("header %q", head)
	}
	h.key("t")
	if head := strings.Split(h.screen(), "\n")[0]; !strings.Contains(head, "08:45:00 XST") {
		t.Fatalf("header after t %q", head)
	}
}

func TestFirstFrameComesFromThePeekThenTheWholeJournal(t *testing.T) {
	h := newHarness(t, nil)
	for i := 0; i < 400; i++ {
		commands.Log(h.j, commands.LogOptions{Text: fmt.Sprintf("entry %d", i), Author: "a"})
	}
	m := New(Deps{Ctx: context.Background(), Journal: h.j, Author: "ic", Config: &config.Config{}})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m.Update(m.peekJournal()())
	s := ansi.Strip(m.render())
	if !strings.Contains(s, "Checkout 5xx") || !strings.Contains(s, "entry 399") {
		t.Fatalf("peek did not give the header and the newest rows:\n%s", s)
	}
	if n := len(m.rec.Timeline); n >= 401 {
		t.Fatalf("the peek read the whole journal (%d entries)", n)
	}
	m.Update(m.loadJournal()())
	if n := len(m.rec.Timeline); n != 401 || !m.loaded {
		t.Fatalf("after the load: %d entries, loaded %v", n, m.loaded)
	}
}

func TestPaletteRedactsAnEntry(t *testing.T) {
	h := newHarness(t, nil)
	commands.Log(h.j, commands.LogOptions{Text: "customer email a@b.example", Author: "a"})
	h.sync()
	h.key(":")
	h.typeText("redact 2 personal data")
	h.key("enter")
	last := h.entries()[len(h.entries())-1]
	var d incident.RedactData
	if last.Kind != incident.KindRedact || last.Decode(&d) != nil || d.Seq != 2 || d.Reason != "personal data" {
		t.Fatalf("last entry = %+v", last)
	}
	h.sync()
	if strings.Contains(h.screen(), "a@b.example") {
		t.Error("the redacted entry is still shown")
	}
}
