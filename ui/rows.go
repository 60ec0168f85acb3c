package ui

import (
	"fmt"
	"math"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/metric"
)

// notConfigured says, in one line, how to make an empty pane useful.
var notConfigured = map[paneID]string{
	paneMetrics: "No metrics configured. Add metrics: (PromQL query or scrape URL) to sitrep.yaml — see `sitrep check`.",
	paneHealth:  "No health checks configured. Add health: [{name, url|tcp}] to sitrep.yaml.",
	paneAlerts:  "Alertmanager not configured. Add alertmanager: {url: ...} to sitrep.yaml.",
	paneFlags:   "No flag provider configured. Add flags: [{provider: file, path: flags.json}] to sitrep.yaml.",
	paneChanges: "GitHub not configured. Add github: {repos: [org/repo], token_env: GITHUB_TOKEN} to sitrep.yaml.",
}

var paneKinds = map[paneID]sources.Kind{
	paneMetrics: sources.KindMetric, paneHealth: sources.KindHealth, paneAlerts: sources.KindAlerts,
	paneFlags: sources.KindFlags, paneChanges: sources.KindChanges,
}

// rowCount is how many rows pane id has now.
func (m *Model) rowCount(id paneID) int {
	switch id {
	case paneMetrics, paneHealth:
		return len(m.data.order[paneKinds[id]])
	case paneAlerts:
		return len(m.data.alerts)
	case paneFlags:
		return len(m.data.flags)
	case paneChanges:
		return len(m.data.changes)
	case paneTimeline:
		return m.timeline.count(m.rec)
	}
	return 0
}

func (m *Model) paneView(id paneID) string {
	p := &m.panes[id]
	n := m.rowCount(id)
	empty := ""
	if id == paneTimeline {
		empty = "Loading the journal…"
		if m.loaded {
			empty = "No entries match the filter."
		}
	} else if !m.data.configured(paneKinds[id]) {
		empty = notConfigured[id]
	} else {
		empty = "Waiting for the first poll…"
		if id == paneAlerts {
			empty = "No alerts firing."
		}
		if id == paneChanges {
			empty = "No deploys, merged PRs or releases in the window."
		}
	}
	return p.view(m.st, m.focus == id, id.String(), m.paneStatus(id), n, m.lineFunc(id), empty)
}

// paneStatus is the right side of a pane's title: staleness of its
// sources first (a dark dependency must never look healthy), else a count.
func (m *Model) paneStatus(id paneID) string {
	if id == paneTimeline {
		s := itoa64(int64(len(m.rec.Timeline))) + " entries"
		if f := m.timeline.filter; f != "" {
			s = "filter \"" + clean(f) + "\" · " + itoa64(int64(m.timeline.count(m.rec))) + "/" + s
		}
		if m.readErr != nil {
			s = m.st.Error.Render("journal: " + clean(m.readErr.Error()))
		}
		return s
	}
	stale, oldest := 0, ""
	var firstErr string
	for _, sid := range m.data.order[paneKinds[id]] {
		s, ok := m.data.snaps[sid]
		if ok && s.Stale() {
			stale++
			if firstErr == "" {
				firstErr = s.Err.Error()
				oldest = age(m.now, s.GoodAt)
			}
		}
	}
	// Single-source panes (alerts, flags, changes) show their error inline.
	if stale > 0 && (id == paneAlerts || id == paneFlags || id == paneChanges) {
		return m.st.Stale.Render("? stale " + oldest + ": " + clean(firstErr))
	}
	if stale > 0 {
		return m.st.Stale.Render(fmt.Sprintf("? %d stale", stale))
	}
	return ""
}

func (m *Model) badge(id paneID) string {
	switch id {
	case paneMetrics:
		w, c := m.data.metricProblems()
		return problems(m.st, w, c)
	case paneHealth:
		d, down := m.data.healthProblems()
		return problems(m.st, d, down)
	case paneAlerts:
		if n := len(m.data.alerts); n > 0 {
			return " " + m.st.Crit.Render("✖"+itoa64(int64(n)))
		}
	case paneFlags:
		if n := len(m.data.flags); n > 0 {
			return " " + itoa64(int64(n))
		}
	case paneChanges:
		if n := len(m.data.changes); n > 0 {
			return " " + itoa64(int64(n))
		}
	case paneTimeline:
		return " " + itoa64(int64(len(m.rec.Timeline)))
	}
	return ""
}

func problems(st Styles, warn, crit int) string {
	s := ""
	if crit > 0 {
		s += " " + st.Crit.Render("✖"+itoa64(int64(crit)))
	}
	if warn > 0 {
		s += " " + st.Warn.Render("▲"+itoa64(int64(warn)))
	}
	return s
}

func (m *Model) lineFunc(id paneID) lineFunc {
	switch id {
	case paneMetrics:
		return m.metricLine
	case paneHealth:
		return m.healthLine
	case paneAlerts:
		return m.alertLine
	case paneFlags:
		return m.flagLine
	case paneChanges:
		return m.changeLine
	}
	return m.timelineLine
}

func (m *Model) sel(s string, selected bool) string {
	if selected {
		return m.st.Selected.Render(s)
	}
	return s
}

// staleMark is appended to a row whose source failed its last poll.
func (m *Model) staleMark(s sources.Snapshot) string {
	if !s.Stale() {
		return ""
	}
	if s.GoodAt.IsZero() {
		return m.st.Stale.Render("? no data: " + clean(s.Err.Error()))
	}
	return m.st.Stale.Render("? stale " + age(m.now, s.GoodAt) + ": " + clean(s.Err.Error()))
}

func (m *Model) metricLine(i, w int, selected bool) string {
	id := m.data.order[sources.KindMetric][i]
	s, ok := m.data.snaps[id]
	v, hasValue := s.Value.(metric.Value)
	if !ok || !hasValue {
		name := id
		if ok && s.Err != nil {
			return columns(w, []int{1, 22, 0}, m.st.Stale.Render("?"), clean(name), m.staleMark(s))
		}
		return columns(w, []int{1, 0}, m.st.Dim.Render("·"), clean(name)+m.st.Dim.Render("  waiting…"))
	}
	state := string(v.State)
	if s.Stale() {
		state = "stale"
	}
	style, sym := m.st.level(state)
	val := "—"
	if !math.IsNaN(v.Current) {
		val = incident.FormatValue(v.Current, clean(v.Unit))
	}
	nameW := max(8, min(26, w/3))
	sparkW := min(24, max(0, w-nameW-40))
	if w < 60 {
		sparkW = 0
	}
	name := m.sel(clean(v.Name), selected)
	tail := style.Render(state)
	if s.Stale() {
		tail = m.staleMark(s)
	} else if v.Note != "" && w > 70 {
		tail += m.st.Dim.Render(" " + clean(v.Note))
	}
	if sparkW == 0 {
		return columns(w, []int{1, nameW, 12, 0}, style.Render(sym), name, style.Render(val), tail)
	}
	return columns(w, []int{1, nameW, 12, sparkW, 0}, style.Render(sym), name, style.Render(val), style.Render(sparkline(v.History, sparkW)), tail)
}

func (m *Model) healthLine(i, w int, selected bool) string {
	id := m.data.order[sources.KindHealth][i]
	s, ok := m.data.snaps[id]
	r, hasValue := s.Value.(health.Result)
	if !ok || !hasValue {
		if ok && s.Err != nil {
			return columns(w, []int{1, 16, 0}, m.st.Stale.Render("?"), clean(id), m.staleMark(s))
		}
		return columns(w, []int{1, 0}, m.st.Dim.Render("·"), clean(id)+m.st.Dim.Render("  waiting…"))
	}
	state := string(r.State)
	style, sym := m.st.level(state)
	reason := clean(r.Reason)
	if s.Stale() {
		reason = m.staleMark(s)
	}
	return columns(w, []int{1, 16, 8, 7, 0}, style.Render(sym), m.sel(clean(r.Name), selected), style.Render(state), latency(r.Latency), reason)
}

func (m *Model) alertLine(i, w int, selected bool) string {
	a := m.data.alerts[i]
	style, sym := m.st.level(a.Severity)
	if a.Severity == "" {
		style, sym = m.st.Crit, "✖"
	}
	return columns(w, []int{1, 22, 9, 7, 0}, style.Render(sym), m.sel(clean(a.Name), selected),
		style.Render(clean(a.Severity)), age(m.now, a.StartsAt), clean(a.Summary))
}

func (m *Model) flagLine(i, w int, selected bool) string {
	f := m.data.flags[i]
	state := "off"
	if f.On {
		state = "on"
	}
	style, sym := m.st.level(state)
	if !f.On {
		style, sym = m.st.Warn, "○"
	}
	name := clean(f.Key)
	if len(m.data.order[sources.KindFlags]) > 1 {
		name = clean(f.Source) + "/" + name
	}
	changed := "—"
	if !f.LastChange.IsZero() {
		changed = age(m.now, f.LastChange) + " ago"
	}
	return columns(w, []int{1, 0, 22, 10}, style.Render(sym), m.sel(name, selected), style.Render(clean(f.State)), changed)
}

func (m *Model) changeLine(i, w int, selected bool) string {
	c := m.data.changes[i]
	rel := "—"
	if !m.rec.Start.IsZero() {
		rel = incident.FormatDuration(c.At.Sub(m.rec.Start).Truncate(time.Minute))
	}
	style, _ := m.st.level(c.Status)
	what := m.sel(clean(c.Repo)+": "+clean(c.Title), selected)
	if c.Suspect {
		what = m.st.Crit.Render("suspect ") + what
	}
	if w < 80 {
		return columns(w, []int{5, 6, 6, 0}, m.clock(c.At, "15:04"), rel, clean(c.Kind), what)
	}
	return columns(w, []int{5, 7, 7, 0, 12, 9}, m.clock(c.At, "15:04"), rel, clean(c.Kind),
		what, clean(c.Author), style.Render(clean(c.Status)))
}

func (m *Model) timelineLine(i, w int, selected bool) string {
	e := m.rec.Timeline[m.timeline.index(i)]
	text := m.timeline.event(e)
	who := clean(e.Author)
	line := columns(w, []int{8, 10, 0}, m.clock(e.At, "15:04:05"), string(kindLabel(e.Kind)), text+m.st.Dim.Render("  — "+who))
	switch {
	case selected:
		return m.st.Selected.Render(fit(stripStyles(line), w))
	case e.Auto:
		return m.st.Dim.Render(stripStyles(line))
	case e.Kind.IsMilestone() || e.Kind == incident.KindOpened:
		return m.st.Bold.Render(stripStyles(line))
	}
	return line
}

// kindLabel shows unknown kinds (from a newer sitrep) as notes.
func kindLabel(k incident.Kind) incident.Kind {
	if !k.Known() {
		return incident.KindNote
	}
	return k
}
