package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// paneID names a pane; focus is an explicit value of it.
type paneID int

const (
	paneMetrics paneID = iota
	paneHealth
	paneAlerts
	paneFlags
	paneChanges
	paneTimeline
	paneCount
)

var paneTitles = [paneCount]string{"Metrics", "Health", "Alerts", "Flags", "Changes", "Timeline"}

func (p paneID) String() string { return paneTitles[p] }

// pane is the scrolling, selectable list every dashboard pane is: the root
// tells it how many rows there are and how to draw row i, so a pane over a
// 100,000-entry timeline draws only the rows that fit.
type pane struct {
	id     paneID
	cursor int // selected row
	offset int // first visible row
	w, h   int // outer size, border included
	// follow keeps the cursor on the last row as rows arrive (the
	// timeline's "newest at the bottom, live" mode).
	follow bool
}

func (p *pane) setSize(w, h int) { p.w, p.h = w, h }

// rows is how many content rows fit inside the border.
func (p *pane) rows() int { return max(0, p.h-2) }

// clamp keeps cursor and offset valid for n rows and the current height.
func (p *pane) clamp(n int) {
	if p.follow && n > 0 {
		p.cursor = n - 1
	}
	p.cursor = max(0, min(p.cursor, n-1))
	vis := p.rows()
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if vis > 0 && p.cursor >= p.offset+vis {
		p.offset = p.cursor - vis + 1
	}
	p.offset = max(0, min(p.offset, n-vis))
}

// move shifts the selection; moving off the last row leaves follow mode
// and moving onto it re-enters it.
func (p *pane) move(delta, n int) {
	if n == 0 {
		return
	}
	p.follow = false
	p.cursor = max(0, min(p.cursor+delta, n-1))
	if p.id == paneTimeline && p.cursor == n-1 {
		p.follow = true
	}
	p.clamp(n)
}

// home/end jump to the first/last row.
func (p *pane) home(n int) { p.move(-n, n) }
func (p *pane) end(n int)  { p.move(n, n) }

// lineFunc draws row i in exactly w cells; sel marks the selected row.
type lineFunc func(i, w int, sel bool) string

// view draws the pane: a box with the title (and a right-aligned status)
// in its top border, n rows drawn by line, or empty when n is 0.
func (p *pane) view(st Styles, focused bool, title, status string, n int, line lineFunc, empty string) string {
	if p.w < 4 || p.h < 2 {
		return blank(p.w, p.h)
	}
	p.clamp(n)
	bs, ts := st.Border, st.Title
	if focused {
		bs, ts = st.BorderFocused, st.TitleFocused
	}
	inner := p.w - 2
	var b strings.Builder
	// ┌ Title ───── status ┐
	head := " " + title + " "
	if focused {
		head = "▶" + title + " "
	}
	head = ansi.Truncate(head, inner, "…")
	st2 := ""
	if status != "" {
		st2 = " " + status + " "
	}
	room := inner - ansi.StringWidth(head)
	if ansi.StringWidth(st2) > room {
		st2 = ansi.Truncate(st2, max(0, room), "…")
	}
	dashes := max(0, inner-ansi.StringWidth(head)-ansi.StringWidth(st2))
	b.WriteString(bs.Render("┌") + ts.Render(head) + bs.Render(strings.Repeat("─", dashes)) + st2 + bs.Render("┐"))
	vis := p.rows()
	side := bs.Render("│")
	for r := 0; r < vis; r++ {
		b.WriteByte('\n')
		i := p.offset + r
		var content string
		switch {
		case n == 0 && r < 3:
			lines := wrap(empty, inner-1)
			if r < len(lines) {
				content = " " + st.Dim.Render(lines[r])
			}
		case i < n:
			content = line(i, inner, focused && i == p.cursor || !focused && i == p.cursor && p.id == paneFlags)
		}
		b.WriteString(side + fit(content, inner) + side)
	}
	b.WriteByte('\n')
	bottom := strings.Repeat("─", inner)
	if n > vis && vis > 0 {
		pos := " " + strconv.Itoa(p.cursor+1) + "/" + strconv.Itoa(n) + " "
		if len(pos) < inner {
			bottom = strings.Repeat("─", inner-len(pos)) + pos
		}
	}
	b.WriteString(bs.Render("└" + bottom + "┘"))
	return b.String()
}

func blank(w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	line := strings.Repeat(" ", w)
	return strings.TrimSuffix(strings.Repeat(line+"\n", h), "\n")
}
