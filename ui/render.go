package ui

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// Pure render helpers: plain functions of their inputs, table-tested.

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the last width values scaled between their min and max.
// NaN (no data) is a space. A flat series sits on the baseline.
func sparkline(values []float64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	var b strings.Builder
	b.Grow(width * 3)
	for i := len(values); i < width; i++ {
		b.WriteByte(' ')
	}
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b.WriteByte(' ')
			continue
		}
		idx := 0
		if hi > lo {
			idx = int((v - lo) / (hi - lo) * float64(len(sparkRunes)-1))
		}
		b.WriteRune(sparkRunes[max(0, min(idx, len(sparkRunes)-1))])
	}
	return b.String()
}

// age renders how long ago t was, compactly: "4s", "12m", "3h 05m".
func age(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	return incident.FormatDuration(d.Truncate(time.Second))
}

// latency renders a request latency: "850µs", "12ms", "2.3s".
func latency(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// fit makes s exactly w cells wide: truncated with "…" or padded with
// spaces. It is ANSI-aware, so styled text keeps its styles.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := width(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// width is ansi.StringWidth with a fast path for what sitrep draws in
// nearly every cell: ASCII, box drawing, blocks, arrows and the state
// symbols, styled with SGR sequences. Any other rune (or escape) sends the
// whole string to ansi.StringWidth, whose grapheme segmentation is the
// single largest cost of an idle frame.
func width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
				j++
			}
			if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return ansi.StringWidth(s)
			}
			i = j + 1
		case c < 0x20 || c == 0x7f:
			if c == 0x1b {
				return ansi.StringWidth(s)
			}
			i++
		case c < 0x80:
			n++
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrowSymbol(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		}
	}
	return n
}

// narrowSymbol: runes one cell wide in every terminal that sitrep itself
// draws (general punctuation, arrows, box drawing, blocks, geometric shapes).
func narrowSymbol(r rune) bool {
	switch {
	case r >= 0x2010 && r <= 0x2027, r >= 0x2190 && r <= 0x21ff, r >= 0x2500 && r <= 0x25ff:
		return true
	case r == 0xb7, r == 0x2716:
		return true
	}
	return false
}

// clean is the last line of defence before text from outside reaches the
// terminal: every pane passes outside strings through it when drawing,
// even when the source already sanitized them.
func clean(s string) string { return sanitize.Line(s) }

// columns lays out cells with fixed widths (0 = take the rest), separated
// by one space, into exactly w cells.
func columns(w int, widths []int, cells ...string) string {
	fixed := 0
	flex := -1
	for i, cw := range widths {
		if cw == 0 {
			flex = i
			continue
		}
		fixed += cw
	}
	fixed += len(widths) - 1
	var b strings.Builder
	for i, c := range cells {
		cw := widths[i]
		if i == flex {
			cw = max(0, w-fixed)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fit(c, cw))
	}
	return fit(b.String(), w)
}

// wrap breaks plain text into lines of at most w cells.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		wrapped := ansi.Wrap(para, w, " ")
		out = append(out, strings.Split(wrapped, "\n")...)
	}
	return out
}
