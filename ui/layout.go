package ui

import (
	"strings"
)

const (
	minWidth, minHeight = 40, 10
	// wideW/wideH: every pane visible at once; mediumW/mediumH: the
	// timeline beside one tabbed pane; smaller: one tabbed pane at a time.
	wideW, wideH     = 150, 36
	mediumW, mediumH = 100, 24
)

type layoutMode int

const (
	modeTabs  layoutMode = iota // one pane, chosen by a tab bar
	modeSplit                   // a tabbed pane on the left, the timeline on the right
	modeGrid                    // everything
)

// layout is computed once per resize (and focus change in tabbed modes):
// which panes are drawn and at what size.
type layout struct {
	mode    layoutMode
	bodyH   int
	visible []paneID
	tabbed  []paneID // panes reachable through the tab bar
	// grid holds the columns of panes in grid and split modes.
	columns [][]paneID
	widths  []int
}

// focusOrder is the tab order.
func (l layout) focusOrder() []paneID {
	return []paneID{paneMetrics, paneHealth, paneAlerts, paneFlags, paneChanges, paneTimeline}
}

func (m *Model) relayout() {
	l := layout{bodyH: max(0, m.h-2)} // header and footer
	all := l.focusOrder()
	switch {
	case m.w >= wideW && m.h >= wideH:
		l.mode = modeGrid
		c1 := m.w * 34 / 100
		c2 := m.w * 30 / 100
		l.widths = []int{c1, c2, m.w - c1 - c2}
		l.columns = [][]paneID{{paneMetrics, paneHealth}, {paneAlerts, paneFlags, paneChanges}, {paneTimeline}}
		heights := [][]int{
			split(l.bodyH, 55, 45),
			split(l.bodyH, 30, 35, 35),
			{l.bodyH},
		}
		for ci, col := range l.columns {
			for ri, id := range col {
				m.panes[id].setSize(l.widths[ci], heights[ci][ri])
			}
		}
		l.visible = all
	case m.w >= mediumW && m.h >= mediumH:
		l.mode = modeSplit
		l.tabbed = all[:5]
		left := m.w * 52 / 100
		l.widths = []int{left, m.w - left}
		side := m.focus
		if side == paneTimeline {
			side = m.lastSide()
		}
		m.sideFocus = side
		l.columns = [][]paneID{{side}, {paneTimeline}}
		m.panes[side].setSize(left, l.bodyH-1)
		m.panes[paneTimeline].setSize(m.w-left, l.bodyH)
		l.visible = []paneID{side, paneTimeline}
	default:
		l.mode = modeTabs
		l.tabbed = all
		m.panes[m.focus].setSize(m.w, l.bodyH-1)
		l.visible = []paneID{m.focus}
	}
	m.layout = l
}

// lastSide is the non-timeline pane shown in split mode when the timeline
// has focus: the one the commander looked at last.
func (m *Model) lastSide() paneID {
	if m.sideFocus == paneTimeline {
		return paneMetrics
	}
	return m.sideFocus
}

// split divides total by percentages, giving the remainder to the last part.
func split(total int, pcts ...int) []int {
	out := make([]int, len(pcts))
	used := 0
	for i, p := range pcts {
		if i == len(pcts)-1 {
			out[i] = total - used
			break
		}
		out[i] = total * p / 100
		used += out[i]
	}
	return out
}

// body draws the panes of the current layout, exactly bodyH lines.
func (m *Model) body() string {
	l := m.layout
	switch l.mode {
	case modeGrid:
		return m.joinColumns(l.columns, l.widths, l.bodyH)
	case modeSplit:
		left := m.tabBar(l.tabbed, l.widths[0]) + "\n" + m.paneView(l.columns[0][0])
		right := m.paneView(paneTimeline)
		return joinHorizontal([]string{left, right}, l.widths, l.bodyH)
	default:
		return m.tabBar(l.tabbed, m.w) + "\n" + m.paneView(m.focus)
	}
}

func (m *Model) joinColumns(cols [][]paneID, widths []int, h int) string {
	blocks := make([]string, len(cols))
	for i, col := range cols {
		parts := make([]string, len(col))
		for j, id := range col {
			parts[j] = m.paneView(id)
		}
		blocks[i] = strings.Join(parts, "\n")
	}
	return joinHorizontal(blocks, widths, h)
}

// joinHorizontal places blocks side by side, each padded to its width and
// to h lines, so the result is exactly h lines of sum(widths) cells.
func joinHorizontal(blocks []string, widths []int, h int) string {
	lines := make([][]string, len(blocks))
	for i, b := range blocks {
		lines[i] = strings.Split(b, "\n")
	}
	var out strings.Builder
	for r := 0; r < h; r++ {
		if r > 0 {
			out.WriteByte('\n')
		}
		for i := range blocks {
			s := ""
			if r < len(lines[i]) {
				s = lines[i][r]
			}
			out.WriteString(fit(s, widths[i]))
		}
	}
	return out.String()
}

// tabBar lists the tabbed panes with a one-glance badge each, so a problem
// in a hidden pane is still visible.
func (m *Model) tabBar(ids []paneID, w int) string {
	var b strings.Builder
	for _, id := range ids {
		label := " " + id.String() + m.badge(id) + " "
		if id == m.focus || (m.layout.mode == modeSplit && id == m.sideFocus && m.focus == paneTimeline) {
			if id == m.focus {
				label = m.st.Selected.Render(label)
			} else {
				label = m.st.Bold.Render(label)
			}
		}
		b.WriteString(label)
	}
	return fit(b.String(), w)
}

// fitBlock centers a message in a w×h block.
func fitBlock(msg string, w, h int) string {
	lines := make([]string, h)
	for i := range lines {
		lines[i] = strings.Repeat(" ", w)
	}
	if h > 0 {
		lines[h/2] = fit(strings.Repeat(" ", max(0, (w-len(msg))/2))+msg, w)
	}
	return strings.Join(lines, "\n")
}
