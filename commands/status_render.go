package commands

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// RenderUpdate renders an update as Markdown, exactly as the GitHub issue,
// the file target and the postmortem's "Status updates as published" show
// it: the state and impact, the body as written (it is the commander's own
// Markdown), and the affected components as a table.
func RenderUpdate(d incident.StatusData) string {
	var b strings.Builder
	b.WriteString("**" + StateLabel(d.State) + "**")
	if d.Impact != "" && d.Impact != "none" {
		b.WriteString(" · " + capitalize(d.Impact) + " impact")
	}
	b.WriteString("\n\n")
	if t := strings.TrimSpace(sanitize.Line(d.Title)); t != "" {
		b.WriteString("### " + mdEscape(t) + "\n\n")
	}
	b.WriteString(strings.TrimSpace(sanitize.Text(d.Body)))
	b.WriteString("\n")
	if len(d.Components) > 0 {
		b.WriteString("\n| Component | Status |\n| --- | --- |\n")
		for _, c := range d.Components {
			fmt.Fprintf(&b, "| %s | %s |\n", mdEscape(sanitize.Line(c.Name)), ComponentLabel(c.Status))
		}
	}
	return b.String()
}

// RenderPlain renders an update as plain text for chat (Slack's `text`)
// and terminals without Markdown: same content, no markup.
func RenderPlain(d incident.StatusData) string {
	var b strings.Builder
	b.WriteString(StateLabel(d.State))
	if d.Impact != "" && d.Impact != "none" {
		b.WriteString(" (" + d.Impact + " impact)")
	}
	if t := strings.TrimSpace(sanitize.Line(d.Title)); t != "" {
		b.WriteString(": " + t)
	}
	b.WriteString("\n")
	b.WriteString(strings.TrimSpace(sanitize.Text(d.Body)))
	b.WriteString("\n")
	if len(d.Components) > 0 {
		b.WriteString("\nAffected components:\n")
		for _, c := range d.Components {
			fmt.Fprintf(&b, "- %s: %s\n", sanitize.Line(c.Name), strings.ToLower(ComponentLabel(c.Status)))
		}
	}
	return b.String()
}

// Chars is the length of the body in characters, the number status pages
// count and limit.
func Chars(d incident.StatusData) int { return utf8.RuneCountInString(strings.TrimSpace(d.Body)) }

// StateLabel is a state as customers read it: "Investigating".
func StateLabel(state string) string { return capitalize(sanitize.Line(state)) }

// ComponentLabel is a component status as customers read it: "Partial outage".
func ComponentLabel(status string) string {
	return capitalize(strings.ReplaceAll(sanitize.Line(status), "_", " "))
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return strings.ToUpper(string(r)) + s[n:]
}

// mdEscape makes text safe inside a Markdown table cell or heading: pipes,
// backticks, emphasis and HTML are shown literally.
var mdEscaper = strings.NewReplacer(`\`, `\\`, `|`, `\|`, "`", "\\`", `*`, `\*`, `_`, `\_`, `<`, `&lt;`, `>`, `&gt;`, `[`, `\[`, `]`, `\]`, `#`, `\#`)

func mdEscape(s string) string { return mdEscaper.Replace(s) }
