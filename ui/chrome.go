package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/sitrep-dev/sitrep/incident"
)

// header: incident id, title, severity, state, elapsed, commander, clock.
func (m *Model) header() string {
	r := m.rec
	st := m.st
	if r.ID == "" {
		return st.Header.Render(fit(" sitrep · loading the journal…", m.w))
	}
	phase := r.Phase()
	elapsed := "—"
	if !r.Start.IsZero() {
		end := m.now
		if r.Milestones.Resolved != nil {
			end = r.Milestones.Resolved.At
		}
		elapsed = incident.FormatDuration(end.Sub(r.Start).Truncate(1e9))
	}
	sym := map[string]string{"investigating": "◎", "detected": "◎", "identified": "◉", "mitigated": "◑", "resolved": "●"}[phase]
	// The title comes first: on a narrow screen it is what survives.
	left := " " + st.HeaderTitle.Render(clean(r.Title)) + st.Header.Render(" · "+clean(r.ID))
	right := " SEV" + strconv.Itoa(r.Severity) + " · " + sym + " " + phase + " · " + elapsed +
		" · IC " + clean(r.Commander) + " · " + m.clock(m.now, "15:04:05") + " " + m.zone() + " "
	if m.deps.ReadOnly {
		right = "READ-ONLY · " + right
	}
	room := m.w - ansi.StringWidth(right)
	if room < 30 {
		// Narrower: the commander stays, the clock loses its seconds.
		right = " SEV" + strconv.Itoa(r.Severity) + " " + sym + " " + phase + " " + elapsed + " · IC " + clean(r.Commander) + " · " + m.clock(m.now, "15:04") + " "
		room = m.w - ansi.StringWidth(right)
	}
	if room < 12 {
		// Narrowest: severity, state, elapsed and the clock matter most.
		right = " SEV" + strconv.Itoa(r.Severity) + " " + sym + " " + phase + " " + elapsed + " " + m.clock(m.now, "15:04") + " "
		room = m.w - ansi.StringWidth(right)
	}
	return st.Header.Render(fit(left, max(0, room))) + st.Header.Render(fit(right, m.w-max(0, room)))
}

// footer: the toast (a verb's result) or the key hints.
func (m *Model) footer() string {
	if m.toast != "" {
		style := m.st.OK
		mark := "✓ "
		if m.toastErr {
			style, mark = m.st.Error, "✖ "
		}
		return fit(style.Render(mark+m.toast), m.w)
	}
	var parts []string
	for _, b := range m.keys.ShortHelp() {
		if !b.Enabled() {
			continue
		}
		parts = append(parts, m.st.Key.Render(b.Help().Key)+" "+m.st.Footer.Render(b.Help().Desc))
	}
	return fit(" "+strings.Join(parts, "  "), m.w)
}

// overlay draws fg (a modal) centred over bg, both w×h.
func overlay(bg, fg string, w, h int) string {
	bgLines := strings.Split(bg, "\n")
	fgLines := strings.Split(fg, "\n")
	fw := 0
	for _, l := range fgLines {
		fw = max(fw, ansi.StringWidth(l))
	}
	fw = min(fw, w)
	x := max(0, (w-fw)/2)
	y := max(0, (h-len(fgLines))/2)
	for i, l := range fgLines {
		r := y + i
		if r >= len(bgLines) {
			break
		}
		b := bgLines[r]
		left := ansi.Cut(b, 0, x)
		right := ansi.Cut(b, x+fw, w)
		bgLines[r] = left + "\x1b[m" + fit(l, fw) + "\x1b[m" + right
	}
	return strings.Join(bgLines, "\n")
}

// box draws a titled modal frame around lines, at most w wide.
func (m *Model) box(title string, lines []string, w int) string {
	inner := max(10, w-4)
	for i, l := range lines {
		lines[i] = fit(l, inner)
	}
	body := strings.Join(lines, "\n")
	return m.st.Modal.Width(inner + 4).Render(m.st.ModalTitle.Render(title) + "\n" + body)
}

func stripStyles(s string) string { return ansi.Strip(s) }

func itoa64(i int64) string { return strconv.FormatInt(i, 10) }

// clock formats t in UTC, or in local time once the commander pressed t.
// The journal is always UTC; this only changes what is shown.
func (m *Model) clock(t time.Time, layout string) string {
	if m.localTime {
		return t.Local().Format(layout)
	}
	return t.UTC().Format(layout)
}

func (m *Model) zone() string {
	if m.localTime {
		name, _ := m.now.Local().Zone()
		return name
	}
	return "UTC"
}
