package ui

import "charm.land/bubbles/v2/key"

// keyMap is the dashboard's keys. Dangerous ones (kill switch, publish)
// are disabled in --read-only mode, which also hides them from help.
type keyMap struct {
	Next, Prev, Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Details, Note, Milestone, Kill, Restore, Status     key.Binding
	Suspect, Export, Palette, Filter, Help, Quit        key.Binding
	LocalTime                                           key.Binding
}

func newKeyMap(readOnly bool) keyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	km := keyMap{
		Next:      b([]string{"tab"}, "tab", "next pane"),
		Prev:      b([]string{"shift+tab"}, "shift+tab", "previous pane"),
		Up:        b([]string{"up", "k"}, "↑/k", "up"),
		Down:      b([]string{"down", "j"}, "↓/j", "down"),
		Top:       b([]string{"home", "g"}, "g", "top"),
		Bottom:    b([]string{"end", "G"}, "G", "bottom (follow)"),
		PageUp:    b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown:  b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Details:   b([]string{"enter"}, "enter", "details"),
		Note:      b([]string{"n"}, "n", "note"),
		Milestone: b([]string{"m"}, "m", "milestone"),
		Kill:      b([]string{"K"}, "K", "kill-switch flag"),
		Restore:   b([]string{"R"}, "R", "restore flag"),
		Status:    b([]string{"s"}, "s", "status update"),
		Suspect:   b([]string{"x"}, "x", "mark change suspect"),
		Export:    b([]string{"e"}, "e", "export postmortem"),
		Palette:   b([]string{":"}, ":", "command palette"),
		Filter:    b([]string{"/"}, "/", "filter"),
		Help:      b([]string{"?"}, "?", "help"),
		LocalTime: b([]string{"t"}, "t", "times in UTC / local"),
		Quit:      b([]string{"q", "ctrl+c"}, "q", "quit"),
	}
	if readOnly {
		km.Kill.SetEnabled(false)
		km.Restore.SetEnabled(false)
		km.Status.SetEnabled(false)
	}
	return km
}

// ShortHelp is the footer.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Note, k.Milestone, k.Kill, k.Status, k.Palette, k.Filter, k.Help, k.Quit}
}

// FullHelp is the `?` screen, by topic.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Prev, k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Details, k.Filter, k.Palette, k.LocalTime, k.Help, k.Quit},
		{k.Note, k.Milestone, k.Status, k.Export},
		{k.Kill, k.Restore, k.Suspect},
	}
}
