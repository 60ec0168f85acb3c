package incident

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// Postmortem is the export of an incident: the same data the Markdown shows,
// with stable field names for machines (`sitrep export --format json`).
type Postmortem struct {
	ID            string             `json:"id"`
	Title         string             `json:"title"`
	Severity      int                `json:"severity"`
	Status        string             `json:"status"`
	Commander     string             `json:"commander"`
	Start         time.Time          `json:"start"`
	Opened        time.Time          `json:"opened"`
	Milestones    []MilestoneRow     `json:"milestones"`
	Summary       string             `json:"summary"`
	Timeline      []TimelineRow      `json:"timeline"`
	Flags         []FlagRow          `json:"flags_changed"`
	StatusUpdates []StatusRow        `json:"status_updates"`
	Changes       []ChangeData       `json:"changes_before"`
	RootCause     []string           `json:"root_cause"`
	Resolution    []string           `json:"resolution"`
	Actions       []ActionRow        `json:"follow_up_actions"`
	Redacted      []int64            `json:"redacted_seqs"`
	Durations     map[string]float64 `json:"durations_seconds"`
}

// MilestoneRow is one line of the impact table.
type MilestoneRow struct {
	Name       string     `json:"name"`
	At         *time.Time `json:"at"`
	SinceStart string     `json:"since_start,omitempty"`
}

// TimelineRow is one kept entry.
type TimelineRow struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Kind   Kind      `json:"kind"`
	Event  string    `json:"event"`
	Author string    `json:"author"`
	Auto   bool      `json:"auto"`
}

// FlagRow is one flag change with when it happened.
type FlagRow struct {
	At time.Time `json:"at"`
	FlagData
}

// StatusRow is one status update as published to one target.
type StatusRow struct {
	At time.Time `json:"at"`
	StatusData
}

// ActionRow is one follow-up item.
type ActionRow struct {
	Text  string `json:"text"`
	Owner string `json:"owner,omitempty"`
	Done  bool   `json:"done"`
}

// BuildPostmortem gathers the export's data from a record. Every string is
// sanitized: the export may be pasted into a terminal or a web page.
func BuildPostmortem(r *Record) *Postmortem {
	p := &Postmortem{
		ID:        r.ID,
		Title:     sanitize.Line(r.Title),
		Severity:  r.Severity,
		Status:    r.Phase(),
		Commander: sanitize.Line(r.Commander),
		Start:     r.Start,
		Opened:    r.Opened,
		Durations: map[string]float64{},
		Redacted:  []int64{},
	}
	for seq := range r.Redacted {
		p.Redacted = append(p.Redacted, seq)
	}
	sort.Slice(p.Redacted, func(i, j int) bool { return p.Redacted[i] < p.Redacted[j] })

	d := r.Durations()
	m := r.Milestones
	for _, row := range []struct {
		name, verb string
		e          *Entry
		dur        time.Duration
	}{
		{"detected", "detect", m.Detected, d.ToDetect},
		{"identified", "identify", m.Identified, d.ToIdentify},
		{"mitigated", "mitigate", m.Mitigated, d.ToMitigate},
		{"resolved", "resolve", m.Resolved, d.ToResolve},
	} {
		mr := MilestoneRow{Name: row.name}
		if row.e != nil {
			at := row.e.At
			mr.At = &at
			mr.SinceStart = FormatDuration(row.dur)
			p.Durations["to_"+row.verb] = row.dur.Seconds()
		}
		p.Milestones = append(p.Milestones, mr)
	}
	if m.Resolved != nil {
		p.Summary = sanitize.Text(strings.TrimSpace(m.Resolved.Text))
	}

	seenUpdate := map[string]int{} // update id → index in StatusUpdates
	for _, e := range r.Timeline {
		kind := e.Kind
		if !kind.Known() {
			kind = KindNote // from a newer sitrep: shown as what it says
		}
		p.Timeline = append(p.Timeline, TimelineRow{
			Seq: e.Seq, At: e.At, Kind: kind, Event: Describe(e), Author: sanitize.Line(e.Author), Auto: e.Auto,
		})
		switch e.Kind {
		case KindFlag:
			var fd FlagData
			if e.Decode(&fd) == nil && fd.Result != "dry-run" {
				p.Flags = append(p.Flags, FlagRow{At: e.At, FlagData: cleanFlag(fd)})
			}
		case KindStatus:
			// One update is journaled once per target it reached: show it
			// once, with every target.
			var sd StatusData
			if e.Decode(&sd) == nil && sd.Phase == "published" {
				if i, ok := seenUpdate[sd.UpdateID]; ok && sd.UpdateID != "" {
					p.StatusUpdates[i].Target += ", " + sanitize.Line(sd.Target)
					continue
				}
				seenUpdate[sd.UpdateID] = len(p.StatusUpdates)
				p.StatusUpdates = append(p.StatusUpdates, StatusRow{At: e.At, StatusData: cleanStatus(sd)})
			}
		case KindChange:
			var cd ChangeData
			if e.Decode(&cd) == nil {
				p.Changes = append(p.Changes, cleanChange(cd))
			}
		case KindIdentified:
			if t := strings.TrimSpace(e.Text); t != "" {
				p.RootCause = append(p.RootCause, sanitize.Text(t))
			}
		case KindMitigated, KindResolved:
			if t := strings.TrimSpace(e.Text); t != "" {
				p.Resolution = append(p.Resolution, sanitize.Text(t))
			}
		case KindAction:
			var ad ActionData
			_ = e.Decode(&ad) // an action without data is just its text
			p.Actions = append(p.Actions, ActionRow{Text: sanitize.Line(e.Text), Owner: sanitize.Line(ad.Owner), Done: ad.Done})
		}
	}
	p.Changes = dedupeChanges(p.Changes)
	p.Flags = settleFlags(p.Flags)
	return p
}

// settleFlags drops each write-ahead "sending" row that an outcome
// follows; one left alone means sitrep stopped mid-change, and says so.
func settleFlags(rows []FlagRow) []FlagRow {
	out := rows[:0:0]
	pending := map[string]int{} // flag → index in out of its sending row
	for _, r := range rows {
		key := r.Source + "\x00" + r.Flag + "\x00" + r.Env + "\x00" + r.Action
		if i, ok := pending[key]; ok && r.Result != FlagSending {
			out[i] = r
			delete(pending, key)
			continue
		}
		if r.Result == FlagSending {
			r.Result = "unknown"
			r.Error = "sitrep stopped while the change was being sent; check the flag's state"
			pending[key] = len(out)
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// FlagSending is the Result of the entry a flag change writes just before
// its request is sent (write-ahead); the outcome entry follows it.
const FlagSending = "sending"

// dedupeChanges keeps one row per change (a later "suspect" mark wins),
// suspects first, then newest first.
func dedupeChanges(cs []ChangeData) []ChangeData {
	idx := map[string]int{}
	var out []ChangeData
	for _, c := range cs {
		// Ref is the change's stable id (deployment id, PR number, tag); a
		// title can change between polls.
		key := c.Repo + "\x00" + c.Kind + "\x00" + c.Ref
		if i, ok := idx[key]; ok {
			out[i].Suspect = out[i].Suspect || c.Suspect
			continue
		}
		idx[key] = len(out)
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Suspect != out[j].Suspect {
			return out[i].Suspect
		}
		return out[i].At.After(out[j].At)
	})
	return out
}

func cleanFlag(d FlagData) FlagData {
	for _, s := range []*string{&d.Provider, &d.Source, &d.Flag, &d.Env, &d.Action, &d.Before, &d.After, &d.Reason, &d.Result, &d.Error} {
		*s = sanitize.Line(*s)
	}
	ev := make([]MetricReading, len(d.Evidence))
	for i, m := range d.Evidence {
		m.Name, m.Unit, m.State = sanitize.Line(m.Name), sanitize.Line(m.Unit), sanitize.Line(m.State)
		ev[i] = m
	}
	d.Evidence = ev
	d.Undo = nil // provider internals, not for readers
	return d
}

func cleanStatus(d StatusData) StatusData {
	for _, s := range []*string{&d.Phase, &d.UpdateID, &d.State, &d.Impact, &d.Title, &d.Target, &d.TargetRef, &d.Error} {
		*s = sanitize.Line(*s)
	}
	d.Body = sanitize.Text(d.Body)
	cs := make([]ComponentStatus, len(d.Components))
	for i, c := range d.Components {
		cs[i] = ComponentStatus{Name: sanitize.Line(c.Name), Status: sanitize.Line(c.Status)}
	}
	d.Components = cs
	return d
}

func cleanChange(d ChangeData) ChangeData {
	for _, s := range []*string{&d.Repo, &d.Kind, &d.Title, &d.Author, &d.URL, &d.Status, &d.Ref} {
		*s = sanitize.Line(*s)
	}
	return d
}

// JSON renders the postmortem as indented JSON.
func (p *Postmortem) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Markdown renders the postmortem as GitHub-flavoured Markdown.
func (p *Postmortem) Markdown() []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	clock := timeFormat(p)

	w("# Postmortem: %s\n\n", EscapeText(p.Title))
	w("| | |\n|---|---|\n")
	w("| Incident | %s |\n", EscapeCell(p.ID))
	w("| Severity | SEV%d |\n", p.Severity)
	w("| Status | %s |\n", p.Status)
	w("| Commander | %s |\n", EscapeCell(p.Commander))
	w("| Start (UTC) | %s |\n", p.Start.UTC().Format("2006-01-02 15:04:05"))
	if sec, ok := p.Durations["to_resolve"]; ok {
		w("| Duration | %s |\n", FormatDuration(time.Duration(sec*float64(time.Second))))
	}
	w("\n## Summary\n\n")
	if p.Summary != "" {
		w("%s\n\n", EscapeText(p.Summary))
	} else {
		w("_Not written yet. What happened, who was affected, for how long, and how it ended? (Log it with `sitrep log --kind resolved TEXT`.)_\n\n")
	}

	w("## Impact\n\n")
	w("| Milestone | Time (UTC) | Since start |\n|---|---|---|\n")
	w("| Start | %s | — |\n", p.Start.UTC().Format(clock))
	for _, m := range p.Milestones {
		if m.At == nil {
			w("| %s | not reached | — |\n", titleCase(m.Name))
			continue
		}
		w("| %s | %s | %s |\n", titleCase(m.Name), m.At.UTC().Format(clock), m.SinceStart)
	}
	var ttx []string
	for _, k := range []string{"detect", "identify", "mitigate", "resolve"} {
		if sec, ok := p.Durations["to_"+k]; ok {
			ttx = append(ttx, fmt.Sprintf("time to %s **%s**", k, FormatDuration(time.Duration(sec*float64(time.Second)))))
		}
	}
	if len(ttx) > 0 {
		w("\n%s.\n", strings.Join(ttx, ", "))
	}

	w("\n## Timeline\n\n")
	w("| Time (UTC) | Event | Author |\n|---|---|---|\n")
	for _, t := range p.Timeline {
		ev := EscapeCell(t.Event)
		if t.Auto {
			ev = "_(auto)_ " + ev
		}
		w("| %s | %s | %s |\n", t.At.UTC().Format(clock), ev, EscapeCell(t.Author))
	}
	if len(p.Redacted) > 0 {
		w("\n%d entr%s redacted.\n", len(p.Redacted), plural(len(p.Redacted), "y was", "ies were"))
	}

	w("\n## Flags changed\n\n")
	if len(p.Flags) == 0 {
		w("_No feature flag was changed through sitrep._\n")
	} else {
		w("| Time (UTC) | Flag | Change | Result | Verified | Evidence at the time |\n|---|---|---|---|---|---|\n")
		for _, f := range p.Flags {
			name := f.Flag
			if f.Source != "" {
				name = f.Source + "/" + f.Flag
			}
			if f.Env != "" {
				name += " [" + f.Env + "]"
			}
			verified := "no"
			if f.Verified {
				verified = "yes, in " + FormatMillis(f.VerifyMillis)
			}
			result := f.Result
			if f.Error != "" {
				result += ": " + f.Error
			}
			var ev []string
			for _, m := range f.Evidence {
				s := m.Name + " " + FormatValue(m.Value, m.Unit)
				if m.State != "" && m.State != "ok" {
					s += " (" + m.State + ")"
				}
				ev = append(ev, s)
			}
			w("| %s | %s | %s | %s | %s | %s |\n", f.At.UTC().Format(clock), EscapeCell(name),
				EscapeCell(f.Action+": "+f.Before+" → "+f.After), EscapeCell(result), verified, EscapeCell(strings.Join(ev, "; ")))
		}
	}

	w("\n## Status updates as published\n\n")
	if len(p.StatusUpdates) == 0 {
		w("_No status update was published through sitrep._\n")
	}
	for _, s := range p.StatusUpdates {
		w("### %s — %s (%s)\n\n", s.At.UTC().Format(clock), titleCase(s.State), EscapeText(s.Target))
		if s.Title != "" {
			w("**%s**\n\n", EscapeText(s.Title))
		}
		for _, line := range strings.Split(s.Body, "\n") {
			w("> %s\n", EscapeText(line))
		}
		if len(s.Components) > 0 {
			w("\n| Component | Status |\n|---|---|\n")
			for _, c := range s.Components {
				w("| %s | %s |\n", EscapeCell(c.Name), EscapeCell(strings.ReplaceAll(c.Status, "_", " ")))
			}
		}
		w("\n")
	}

	w("\n## What changed before\n\n")
	if len(p.Changes) == 0 {
		w("_No deploys, merged pull requests or releases were recorded. Configure `github:` to list them._\n")
	} else {
		w("| Time (UTC) | Since start | Repo | Kind | Title | Author | Status |\n|---|---|---|---|---|---|---|\n")
		for _, c := range p.Changes {
			title := EscapeCell(c.Title)
			if c.URL != "" {
				title = "[" + title + "](" + escapeURL(c.URL) + ")"
			}
			if c.Suspect {
				title = "**suspect** " + title
			}
			w("| %s | %s | %s | %s | %s | %s | %s |\n", c.At.UTC().Format(clock), FormatDuration(c.At.Sub(p.Start)),
				EscapeCell(c.Repo), EscapeCell(c.Kind), title, EscapeCell(c.Author), EscapeCell(c.Status))
		}
	}

	w("\n## Root cause\n\n")
	if len(p.RootCause) == 0 {
		w("_Not written yet. What made this possible? Ask \"why\" until the answer is a decision, not a person._\n")
	}
	for _, t := range p.RootCause {
		w("%s\n\n", EscapeText(t))
	}
	w("\n## Resolution\n\n")
	if len(p.Resolution) == 0 {
		w("_Not written yet. What stopped the impact, and what made it permanent?_\n")
	}
	for _, t := range p.Resolution {
		w("%s\n\n", EscapeText(t))
	}
	w("\n## Follow-up actions\n\n")
	if len(p.Actions) == 0 {
		w("_None logged yet (`sitrep log --kind action TEXT`)._\n")
	}
	for _, a := range p.Actions {
		box := " "
		if a.Done {
			box = "x"
		}
		line := EscapeText(a.Text)
		if a.Owner != "" {
			line += " (" + EscapeText(a.Owner) + ")"
		}
		w("- [%s] %s\n", box, line)
	}
	return b.Bytes()
}

// timeFormat shows dates only when the incident spans more than one day.
func timeFormat(p *Postmortem) string {
	day := p.Start.UTC().Format("2006-01-02")
	for _, t := range p.Timeline {
		if t.At.UTC().Format("2006-01-02") != day {
			return "2006-01-02 15:04:05"
		}
	}
	return "15:04:05"
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// EscapeCell makes s safe inside one GitHub-flavoured table cell: a single
// line, every pipe escaped (so it cannot end the cell), and no raw HTML,
// code spans or terminal controls.
func EscapeCell(s string) string {
	return escape(sanitize.Line(s))
}

// EscapeText makes s safe as Markdown paragraph text: no raw HTML, code
// spans, headings or block quotes started by what it contains.
func EscapeText(s string) string {
	lines := strings.Split(sanitize.Text(s), "\n")
	for i, l := range lines {
		lines[i] = escape(l)
	}
	return strings.Join(lines, "\n")
}

func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	lead := true // at the start of the line, ignoring spaces
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '|':
			b.WriteString(`\|`)
		case '`':
			b.WriteString("\\`")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '#', '=', '-', '+', '*':
			if lead {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		if r != ' ' {
			lead = false
		}
	}
	return b.String()
}

// escapeURL keeps a link target from closing the link or the cell.
func escapeURL(u string) string {
	r := strings.NewReplacer(" ", "%20", "|", "%7C", ")", "%29", "(", "%28", "<", "%3C", ">", "%3E", "`", "%60")
	return r.Replace(sanitize.Line(u))
}
