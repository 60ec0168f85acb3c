package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Styles is the one theme every view draws with. It uses only the 16 ANSI
// colours, whose actual shades come from the user's terminal theme, so the
// same palette reads on dark and light backgrounds without asking the
// terminal what its background is (a query that costs an SSH round trip
// before the first frame). State is never told by colour alone: every
// coloured cell also carries a symbol or a word.
type Styles struct {
	Header, HeaderTitle, HeaderDim           ink
	Border, BorderFocused                    ink
	Title, TitleFocused                      ink
	OK, Warn, Crit, Unknown, Stale           ink
	Dim, Bold, Selected, SelectedBlur, Error ink
	Footer, Key                              ink
	ModalTitle, Danger, Input                ink
	Modal                                    lipgloss.Style
}

// ink is a text style reduced to the escape sequences around its text.
// lipgloss's Style.Render measures and re-flows its input on every call;
// a frame paints hundreds of border pieces and symbols, so the styles used
// per cell are rendered once, here, and applied by concatenation. Colour
// downsampling (NO_COLOR, 16 colours) still happens in the renderer.
type ink struct{ pre, post string }

func newInk(s lipgloss.Style) ink {
	r := s.Render("x")
	i := strings.Index(r, "x")
	if i < 0 {
		return ink{}
	}
	return ink{pre: r[:i], post: r[i+1:]}
}

// Render paints one line of text (joined with spaces, like lipgloss).
func (k ink) Render(strs ...string) string {
	t := strings.Join(strs, " ")
	if t == "" || k.pre == "" {
		return t
	}
	return k.pre + t + k.post
}

// NewStyles builds the theme. With NO_COLOR the program's colour profile
// strips colours at render time; bold, faint and reverse still mark state.
func NewStyles() Styles {
	s := lipgloss.NewStyle
	return Styles{
		Header:        newInk(s().Reverse(true)),
		HeaderTitle:   newInk(s().Reverse(true).Bold(true)),
		HeaderDim:     newInk(s().Reverse(true)),
		Border:        newInk(s().Foreground(lipgloss.BrightBlack)),
		BorderFocused: newInk(s().Foreground(lipgloss.Cyan).Bold(true)),
		Title:         newInk(s().Bold(true)),
		TitleFocused:  newInk(s().Bold(true).Foreground(lipgloss.Cyan)),
		OK:            newInk(s().Foreground(lipgloss.Green)),
		Warn:          newInk(s().Foreground(lipgloss.Yellow).Bold(true)),
		Crit:          newInk(s().Foreground(lipgloss.Red).Bold(true)),
		Unknown:       newInk(s().Foreground(lipgloss.Magenta)),
		Stale:         newInk(s().Foreground(lipgloss.Magenta).Italic(true)),
		Dim:           newInk(s().Faint(true)),
		Bold:          newInk(s().Bold(true)),
		Selected:      newInk(s().Reverse(true)),
		SelectedBlur:  newInk(s().Underline(true)),
		Error:         newInk(s().Foreground(lipgloss.Red).Bold(true)),
		Footer:        newInk(s().Faint(true)),
		Key:           newInk(s().Bold(true)),
		Modal:         s().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Cyan).Padding(0, 1),
		ModalTitle:    newInk(s().Bold(true).Foreground(lipgloss.Cyan)),
		Danger:        newInk(s().Foreground(lipgloss.Red).Bold(true).Reverse(true)),
		Input:         newInk(s().Underline(true)),
	}
}

// level maps a severity-like state to its style and symbol.
func (st Styles) level(state string) (ink, string) {
	switch state {
	case "ok", "up", "on", "resolved", "success":
		return st.OK, "●"
	case "warn", "degraded", "warning", "pending", "in_progress", "queued":
		return st.Warn, "▲"
	case "crit", "down", "critical", "firing", "failure", "error", "page":
		return st.Crit, "✖"
	case "stale":
		return st.Stale, "?"
	}
	return st.Unknown, "·"
}
