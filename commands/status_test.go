package commands

import (
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
)

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// newIncident opens a fresh incident in a temporary data dir.
func newIncident(t *testing.T) (incident.Store, *incident.Journal) {
	t.Helper()
	s := incident.Store{Dir: t.TempDir()}
	j, _, err := s.Create("API errors after deploy 142", 2, "alice@bastion", t0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return s, j
}

func mustDraft(t *testing.T, j *incident.Journal, o DraftOptions) incident.StatusData {
	t.Helper()
	if o.Author == "" {
		o.Author = "alice@bastion"
	}
	_, d, err := Draft(j, o)
	if err != nil {
		t.Fatalf("Draft(%+v): %v", o, err)
	}
	return d
}

func load(t *testing.T, j *incident.Journal) []incident.Entry {
	t.Helper()
	es, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestValidateUpdate(t *testing.T) {
	ok := incident.StatusData{State: "investigating", Body: "Looking."}
	tests := []struct {
		name string
		edit func(d *incident.StatusData)
		want string // "" = valid
	}{
		{"a state and a body are enough", func(d *incident.StatusData) {}, ""},
		{"every documented impact is accepted", func(d *incident.StatusData) { d.Impact = "critical" }, ""},
		{"unknown state names the choices", func(d *incident.StatusData) { d.State = "fixed" }, `state "fixed" is not one of: investigating, identified, monitoring, resolved`},
		{"unknown impact names the choices", func(d *incident.StatusData) { d.Impact = "huge" }, `impact "huge" is not one of: none, minor, major, critical`},
		{"empty body says what to write", func(d *incident.StatusData) { d.Body = " \n " }, "no text"},
		{"overlong body gives the limit", func(d *incident.StatusData) { d.Body = strings.Repeat("é", MaxStatusBody+1) }, "keep it under 10000"},
		{"unknown component status names the component", func(d *incident.StatusData) {
			d.Components = []incident.ComponentStatus{{Name: "API", Status: "down"}}
		}, `component "API": status "down" is not one of`},
		{"a component twice is refused", func(d *incident.StatusData) {
			d.Components = []incident.ComponentStatus{{Name: "API", Status: "major_outage"}, {Name: "API", Status: "operational"}}
		}, `component "API" is listed twice`},
		{"a nameless component is refused", func(d *incident.StatusData) {
			d.Components = []incident.ComponentStatus{{Name: " ", Status: "major_outage"}}
		}, "has no name"},
		{"a multi-line title is refused", func(d *incident.StatusData) { d.Title = "a\nb" }, "one line"},
		{"control sequences in errors are neutralised", func(d *incident.StatusData) { d.State = "\x1b[2Jx" }, `state "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			tt.edit(&d)
			err := ValidateUpdate(d)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseComponent(t *testing.T) {
	tests := []struct {
		in         string
		name, stat string
		err        string
	}{
		{"api=partial_outage", "api", "partial_outage", ""},
		{" Web = Degraded Performance ", "Web", "degraded_performance", ""},
		{"db=major-outage", "db", "major_outage", ""},
		{"a=b=operational", "", "", "not one of"},
		{"api", "", "", "NAME=STATUS"},
		{"=operational", "", "", "NAME=STATUS"},
		{"api=broken", "", "", `status "broken" is not one of`},
	}
	for _, tt := range tests {
		c, err := ParseComponent(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseComponent(%q) err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || c.Name != tt.name || c.Status != tt.stat {
			t.Errorf("ParseComponent(%q) = %+v, %v", tt.in, c, err)
		}
	}
}

func FuzzParseComponent(f *testing.F) {
	for _, s := range []string{"api=partial_outage", "Web = Degraded Performance", "=", "a=b=c", "\x1b[31m=operational"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseComponent(s)
		if err != nil {
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Fatalf("error carries an escape: %q", err)
			}
			return
		}
		if c.Name == "" || ValidateUpdate(incident.StatusData{State: "investigating", Body: "x", Components: []incident.ComponentStatus{c}}) != nil {
			t.Fatalf("ParseComponent(%q) = %+v accepted but invalid", s, c)
		}
	})
}

func TestTemplates(t *testing.T) {
	_, j := newIncident(t)
	if _, err := Log(j, LogOptions{Text: "rolled back deploy 142", Author: "bob", Now: t0.Add(10 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "x", Components: []incident.ComponentStatus{{Name: "API", Status: "partial_outage"}}})
	entries := load(t, j)
	now := t0.Add(65 * time.Minute)
	custom := config.StatusTemplates{
		"identified": "{{.Title}} (sev {{.Severity}}, {{.ID}}) since {{.Started}}, {{.Elapsed}}: {{.LastNote}} [{{.Components}}] {{.State}}",
	}
	tests := []struct {
		state string
		tpls  config.StatusTemplates
		want  string
	}{
		{"investigating", nil, "We are investigating issues affecting API (partial outage). We will post an update as soon as we know more."},
		{"identified", nil, "The issue has been identified and a fix is being implemented. Affected: API (partial outage)."},
		{"monitoring", nil, "A fix has been implemented and we are monitoring the results."},
		{"resolved", nil, "This incident has been resolved."},
		{"identified", custom, "API errors after deploy 142 (sev 2, 2026-11-27-api-errors-after-deploy-142) since 2026-11-27 09:00 UTC, 1h 05m: rolled back deploy 142 [API (partial outage)] identified"},
		{"monitoring", custom, "A fix has been implemented and we are monitoring the results."}, // not configured: built-in
	}
	for _, tt := range tests {
		got, err := Template(tt.tpls, entries, tt.state, now)
		if err != nil || got != tt.want {
			t.Errorf("Template(%s) = %q, %v\nwant %q", tt.state, got, err, tt.want)
		}
	}
	if _, err := Template(nil, entries, "done", now); err == nil {
		t.Error("unknown state accepted")
	}
	if _, err := Template(config.StatusTemplates{"resolved": "{{.Nope}}"}, entries, "resolved", now); err == nil || !strings.Contains(err.Error(), "status_templates.resolved") {
		t.Errorf("bad field: %v", err)
	}
	// Every built-in template passes the config's own check.
	for state, text := range DefaultTemplates {
		if err := config.CheckStatusTemplate(state, text); err != nil {
			t.Errorf("default %s: %v", state, err)
		}
	}
}

func TestNextState(t *testing.T) {
	tests := []struct {
		name       string
		published  []string // states published, in order
		milestones []incident.Kind
		want       string
	}{
		{"first update investigates", nil, nil, "investigating"},
		{"after investigating comes identified", []string{"investigating"}, nil, "identified"},
		{"after identified comes monitoring", []string{"investigating", "identified"}, nil, "monitoring"},
		{"after monitoring comes resolved", []string{"monitoring"}, nil, "resolved"},
		{"resolved stays resolved", []string{"resolved"}, nil, "resolved"},
		{"a mitigated milestone skips ahead to monitoring", []string{"investigating"}, []incident.Kind{incident.KindMitigated}, "monitoring"},
		{"a resolved milestone suggests resolved", nil, []incident.Kind{incident.KindIdentified, incident.KindResolved}, "resolved"},
		{"an identified milestone suggests identified first", nil, []incident.Kind{incident.KindIdentified}, "identified"},
		{"drafts alone do not advance", nil, nil, "investigating"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, j := newIncident(t)
			for _, st := range tt.published {
				d := mustDraft(t, j, DraftOptions{State: st, Body: "x", Force: true})
				d.Phase, d.Target, d.TargetRef = PhasePublished, "file", "/tmp/x"
				if _, err := j.Append(incident.Draft{Kind: incident.KindStatus, Data: d}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.name == "drafts alone do not advance" {
				mustDraft(t, j, DraftOptions{State: "monitoring", Body: "x"})
			}
			for _, k := range tt.milestones {
				if _, err := Log(j, LogOptions{Kind: k, Text: "m", Author: "bob"}); err != nil {
					t.Fatal(err)
				}
			}
			if got := NextState(load(t, j)); got != tt.want {
				t.Errorf("NextState = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRenderUpdate(t *testing.T) {
	d := incident.StatusData{
		State: "identified", Impact: "major", Title: "API | errors",
		Body:       "We found a bad deploy.\n\nRolling back.\x1b]0;pwned\x07",
		Components: []incident.ComponentStatus{{Name: "API|v2", Status: "partial_outage"}, {Name: "Web", Status: "degraded_performance"}},
	}
	wantMD := "**Identified** · Major impact\n\n### API \\| errors\n\nWe found a bad deploy.\n\nRolling back.\n\n" +
		"| Component | Status |\n| --- | --- |\n| API\\|v2 | Partial outage |\n| Web | Degraded performance |\n"
	if got := RenderUpdate(d); got != wantMD {
		t.Errorf("RenderUpdate =\n%q\nwant\n%q", got, wantMD)
	}
	wantPlain := "Identified (major impact): API | errors\nWe found a bad deploy.\n\nRolling back.\n\nAffected components:\n- API|v2: partial outage\n- Web: degraded performance\n"
	if got := RenderPlain(d); got != wantPlain {
		t.Errorf("RenderPlain =\n%q\nwant\n%q", got, wantPlain)
	}
	if n := Chars(incident.StatusData{Body: " héllo\n"}); n != 5 {
		t.Errorf("Chars = %d, want 5", n)
	}
	if got := RenderUpdate(incident.StatusData{State: "resolved", Impact: "none", Body: "Done."}); got != "**Resolved**\n\nDone.\n" {
		t.Errorf("no impact, no components: %q", got)
	}
}
