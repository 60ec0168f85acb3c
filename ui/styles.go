package ui

import (
	"charm.land/lipgloss/v2"
)

// Styles is the one theme every view draws with. It uses only the 16 ANSI
// colours, whose actual shades come from the user's terminal theme, so the
// same palette reads on dark and light backgrounds without asking the
// terminal what its background is (a query that costs an SSH round trip
// before the first frame). State is never told by colour alone: every
// coloured cell also carries a symbol or a word.
type Styles struct {
	Header, HeaderTitle, HeaderDim           lipgloss.Style
	Border, BorderFocused                    lipgloss.Style
	Title, TitleFocused                      lipgloss.Style
	OK, Warn, Crit, Unknown, Stale           lipgloss.Style
	Dim, Bold, Selected, SelectedBlur, Error lipgloss.Style
	Footer, Key                              lipgloss.Style
	Modal, ModalTitle, Danger, Input         lipgloss.Style
}

// NewStyles builds the theme. With NO_COLOR the program's colour profile
// strips colours at render time; bold, faint and reverse still mark state.
func NewStyles() Styles {
	s := lipgloss.NewStyle
	return Styles{
		Header:        s().Reverse(true),
		HeaderTitle:   s().Reverse(true).Bold(true),
		HeaderDim:     s().Reverse(true),
		Border:        s().Foreground(lipgloss.BrightBlack),
		BorderFocused: s().Foreground(lipgloss.Cyan).Bold(true),
		Title:         s().Bold(true),
		TitleFocused:  s().Bold(true).Foreground(lipgloss.Cyan),
		OK:            s().Foreground(lipgloss.Green),
		Warn:          s().Foreground(lipgloss.Yellow).Bold(true),
		Crit:          s().Foreground(lipgloss.Red).Bold(true),
		Unknown:       s().Foreground(lipgloss.Magenta),
		Stale:         s().Foreground(lipgloss.Magenta).Italic(true),
		Dim:           s().Faint(true),
		Bold:          s().Bold(true),
		Selected:      s().Reverse(true),
		SelectedBlur:  s().Underline(true),
		Error:         s().Foreground(lipgloss.Red).Bold(true),
		Footer:        s().Faint(true),
		Key:           s().Bold(true),
		Modal:         s().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Cyan).Padding(0, 1),
		ModalTitle:    s().Bold(true).Foreground(lipgloss.Cyan),
		Danger:        s().Foreground(lipgloss.Red).Bold(true).Reverse(true),
		Input:         s().Underline(true),
	}
}

// level maps a severity-like state to its style and symbol.
func (st Styles) level(state string) (lipgloss.Style, string) {
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
