package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/metric"
)

// detailsModal shows everything known about the selected row. Its lines are
// computed when opened (a frozen view): it reads no data while drawn.
type detailsModal struct {
	title  string
	lines  []string
	offset int
}

func (d *detailsModal) Dirty() bool { return false }

func (d *detailsModal) Update(m *Model, msg tea.Msg) (modal, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	switch k.String() {
	case "up", "k":
		d.offset = max(0, d.offset-1)
	case "down", "j":
		d.offset = min(max(0, len(d.lines)-1), d.offset+1)
	default:
		return nil, nil
	}
	return d, nil
}

func (d *detailsModal) View(m *Model, st Styles, w, h int) string {
	width := min(100, w-6)
	var wrapped []string
	for _, l := range d.lines {
		wrapped = append(wrapped, wrap(l, width)...)
	}
	room := max(1, h-6)
	start := min(d.offset, max(0, len(wrapped)-room))
	end := min(len(wrapped), start+room)
	body := append([]string{}, wrapped[start:end]...)
	body = append(body, st.Dim.Render("↑/↓ scroll · any other key closes"))
	return m.box(d.title, body, width+4)
}

func (m *Model) detailsModal() modal {
	n := m.rowCount(m.focus)
	if n == 0 {
		return nil
	}
	i := m.panes[m.focus].cursor
	d := &detailsModal{}
	switch m.focus {
	case paneTimeline:
		e := m.rec.Timeline[m.timeline.index(i)]
		d.title = fmt.Sprintf("Entry #%d", e.Seq)
		d.lines = entryDetails(e)
	case paneMetrics, paneHealth:
		id := m.data.order[paneKinds[m.focus]][i]
		d.title = clean(id)
		d.lines = m.snapshotDetails(m.data.snaps[id])
	case paneAlerts:
		a := m.data.alerts[i]
		d.title = "Alert " + clean(a.Name)
		d.lines = []string{"severity: " + clean(a.Severity), "started: " + a.StartsAt.UTC().Format("2006-01-02 15:04:05Z") + " (" + age(m.now, a.StartsAt) + " ago)", "summary: " + clean(a.Summary), "labels:"}
		d.lines = append(d.lines, sortedLabels(a.Labels)...)
	case paneFlags:
		f := m.data.flags[i]
		d.title = "Flag " + clean(f.Source+"/"+f.Key)
		d.lines = []string{"provider: " + clean(f.Provider) + " (" + clean(f.Source) + ")", "environment: " + clean(f.Env), "state: " + clean(f.State), "variant: " + clean(f.Variant),
			fmt.Sprintf("targeting rules: %v", f.Targeting), "version: " + clean(f.Version)}
		if !f.LastChange.IsZero() {
			d.lines = append(d.lines, "last change: "+f.LastChange.UTC().Format("2006-01-02 15:04:05Z"))
		}
		d.lines = append(d.lines, "", "K kill switch · R restore (preview first, then type the key)")
	case paneChanges:
		c := m.data.changes[i]
		d.title = clean(c.Kind + " " + c.Repo)
		d.lines = []string{"title: " + clean(c.Title), "author: " + clean(c.Author), "when: " + c.At.UTC().Format("2006-01-02 15:04:05Z"), "status: " + clean(c.Status), "ref: " + clean(c.Ref), "url: " + clean(c.URL), "", "x marks it as a suspect in the journal"}
	}
	return d
}

func entryDetails(e incident.Entry) []string {
	lines := []string{
		"time: " + e.At.UTC().Format("2006-01-02 15:04:05.000Z"),
		"kind: " + string(e.Kind),
		"author: " + sanitize.Line(e.Author),
		"event: " + incident.Describe(e),
	}
	if e.Auto {
		lines = append(lines, "recorded automatically by sitrep")
	}
	if t := strings.TrimSpace(e.Text); t != "" {
		lines = append(lines, "", "text:")
		lines = append(lines, strings.Split(sanitize.Text(t), "\n")...)
	}
	if len(e.Data) > 0 {
		var buf bytes.Buffer
		if json.Indent(&buf, e.Data, "", "  ") == nil {
			lines = append(lines, "", "data:")
			for _, l := range strings.Split(buf.String(), "\n") {
				lines = append(lines, sanitize.Line(l))
			}
		}
	}
	return lines
}

func (m *Model) snapshotDetails(s sources.Snapshot) []string {
	var lines []string
	switch v := s.Value.(type) {
	case metric.Value:
		cur := "—"
		if !math.IsNaN(v.Current) {
			cur = incident.FormatValue(v.Current, clean(v.Unit))
		}
		lines = append(lines, "value: "+cur, "state: "+string(v.State))
		if len(v.History) > 0 {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, x := range v.History {
				if !math.IsNaN(x) {
					lo, hi = math.Min(lo, x), math.Max(hi, x)
				}
			}
			lines = append(lines, fmt.Sprintf("history: %d points, min %s, max %s", len(v.History), incident.FormatValue(lo, clean(v.Unit)), incident.FormatValue(hi, clean(v.Unit))),
				sparkline(v.History, min(80, len(v.History))))
		}
		if v.Note != "" {
			lines = append(lines, "note: "+clean(v.Note))
		}
	case health.Result:
		lines = append(lines, "state: "+string(v.State), "latency: "+latency(v.Latency))
		if v.Status != 0 {
			lines = append(lines, fmt.Sprintf("HTTP status: %d", v.Status))
		}
		if v.Reason != "" {
			lines = append(lines, "reason: "+clean(v.Reason))
		}
	case nil:
		lines = append(lines, "no value yet")
	}
	lines = append(lines, "", "last poll: "+age(m.now, s.FetchedAt)+" ago, took "+latency(s.Latency))
	if !s.GoodAt.IsZero() {
		lines = append(lines, "last good value: "+age(m.now, s.GoodAt)+" ago")
	}
	if s.Err != nil {
		lines = append(lines, fmt.Sprintf("failing (%d in a row): %s", s.Failures, clean(s.Err.Error())))
	}
	return lines
}

func sortedLabels(l map[string]string) []string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = "  " + clean(k) + "=" + clean(l[k])
	}
	return out
}
