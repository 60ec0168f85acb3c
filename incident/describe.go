package incident

import (
	"fmt"
	"strings"

	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// Describe renders an entry as one line of plain text for timelines (CLI,
// TUI and export). The result is sanitized: safe to print anywhere.
func Describe(e Entry) string {
	return sanitize.Line(describe(e))
}

func describe(e Entry) string {
	text := strings.TrimSpace(e.Text)
	with := func(head string) string {
		if text == "" || text == head {
			return head
		}
		return head + ": " + text
	}
	switch e.Kind {
	case KindOpened:
		var d OpenedData
		if e.Decode(&d) == nil && d.Severity > 0 {
			return fmt.Sprintf("Incident opened: %s (SEV%d)", orText(d.Title, text), d.Severity)
		}
		return with("Incident opened")
	case KindStarted:
		return with("Impact started")
	case KindDetected:
		return with("Detected")
	case KindIdentified:
		return with("Identified")
	case KindMitigated:
		return with("Mitigated")
	case KindResolved:
		return with("Resolved")
	case KindSeverity:
		var d SeverityData
		if e.Decode(&d) == nil {
			head := fmt.Sprintf("Severity SEV%d → SEV%d", d.From, d.To)
			if d.From == 0 {
				head = fmt.Sprintf("Severity set to SEV%d", d.To)
			}
			return withRest(head, text, fmt.Sprint(d.To))
		}
	case KindRole:
		var d RoleData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("%s is %s", d.Person, d.Role)
		}
	case KindAction:
		return with("Follow-up")
	case KindRedact:
		var d RedactData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("Entry #%d redacted: %s", d.Seq, d.Reason)
		}
	case KindFlag:
		var d FlagData
		if e.Decode(&d) == nil {
			return describeFlag(d)
		}
	case KindStatus:
		var d StatusData
		if e.Decode(&d) == nil {
			switch d.Phase {
			case "published":
				return fmt.Sprintf("Status update (%s) published to %s", d.State, d.Target)
			case "failed":
				return fmt.Sprintf("Status update (%s) FAILED on %s: %s", d.State, d.Target, d.Error)
			default:
				return fmt.Sprintf("Status update (%s) drafted: %s", d.State, firstLine(d.Body))
			}
		}
	case KindHealth:
		var d HealthData
		if e.Decode(&d) == nil {
			s := fmt.Sprintf("Health %s: %s → %s", d.Check, d.From, d.To)
			if d.Reason != "" {
				s += " (" + d.Reason + ")"
			}
			return s
		}
	case KindAlert:
		var d AlertData
		if e.Decode(&d) == nil {
			s := fmt.Sprintf("Alert %s %s", d.Name, d.State)
			if d.Severity != "" {
				s += " (" + d.Severity + ")"
			}
			if d.Summary != "" {
				s += ": " + d.Summary
			}
			return s
		}
	case KindMetric:
		var d MetricData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("Metric %s: %s → %s (%s)", d.Name, d.From, d.To, FormatValue(d.Value, d.Unit))
		}
	case KindChange:
		var d ChangeData
		if e.Decode(&d) == nil {
			s := fmt.Sprintf("Change (%s) %s: %s", d.Kind, d.Repo, d.Title)
			if d.Suspect {
				s = "Suspect change (" + d.Kind + ") " + d.Repo + ": " + d.Title
			}
			return s
		}
	case KindExport:
		var d ExportData
		if e.Decode(&d) == nil {
			return strings.TrimSpace(fmt.Sprintf("Postmortem exported to %s %s", d.Target, d.URL))
		}
	}
	return text // notes, and kinds from newer versions
}

func describeFlag(d FlagData) string {
	name := d.Flag
	if d.Source != "" {
		name = d.Source + "/" + d.Flag
	}
	if d.Env != "" {
		name += " [" + d.Env + "]"
	}
	switch d.Result {
	case FlagSending:
		return fmt.Sprintf("Flag %s %s: sending the change (%s → %s)…", name, d.Action, d.Before, d.After)
	case "failed":
		return fmt.Sprintf("Flag %s %s FAILED: %s", name, d.Action, d.Error)
	case "dry-run":
		return fmt.Sprintf("Flag %s %s (dry run): %s → %s", name, d.Action, d.Before, d.After)
	}
	s := fmt.Sprintf("Flag %s %s: %s → %s", name, d.Action, d.Before, d.After)
	if d.Verified {
		s += fmt.Sprintf(" (verified in %s)", FormatMillis(d.VerifyMillis))
	} else {
		s += " (NOT verified)"
	}
	if d.Reason != "" {
		s += " — " + d.Reason
	}
	return s
}

// FormatMillis renders a short duration: "850ms", "1.2s".
func FormatMillis(ms int64) string {
	if ms < 1000 {
		return fmt.Sprintf("%dms", ms)
	}
	return fmt.Sprintf("%.1fs", float64(ms)/1000)
}

// FormatValue renders a metric value with its unit, compactly.
func FormatValue(v float64, unit string) string {
	var s string
	switch a := abs(v); {
	case a == 0:
		s = "0"
	case a >= 1e9:
		s = fmt.Sprintf("%.1fG", v/1e9)
	case a >= 1e6:
		s = fmt.Sprintf("%.1fM", v/1e6)
	case a >= 1e4:
		s = fmt.Sprintf("%.1fk", v/1e3)
	case a >= 100:
		s = fmt.Sprintf("%.0f", v)
	case a >= 1:
		s = fmt.Sprintf("%.2f", v)
	default:
		s = fmt.Sprintf("%.3g", v)
	}
	switch unit {
	case "":
		return s
	case "%":
		return s + "%"
	}
	return s + " " + unit
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func withRest(head, text, prefix string) string {
	rest := strings.TrimSpace(strings.TrimPrefix(text, prefix))
	if rest == "" {
		return head
	}
	return head + ": " + rest
}

func orText(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
