package incident

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files and fixtures")

// fixtureJournal writes a journal that exercises every section of the
// postmortem, with fixed times, so its export is stable.
func fixtureJournal(t *testing.T, path string) {
	t.Helper()
	at := func(hhmm string) time.Time {
		tm, _ := time.Parse("2006-01-02 15:04", "2026-05-11 "+hhmm)
		return tm
	}
	dir := filepath.Dir(path)
	os.MkdirAll(dir, 0o700)
	os.Remove(path)
	os.WriteFile(path, nil, 0o600)
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ic := "ic@bastion via ssh from 10.0.0.7"
	drafts := []Draft{
		{At: at("06:10"), Author: ic, Kind: KindOpened, Text: "Predictions fail: API 500s", Data: OpenedData{ID: "2026-05-11-predictions-fail", Title: "Predictions fail: API 500s", Severity: 1}},
		{At: at("05:45"), Author: ic, Kind: KindStarted, Text: "first 500s in the API logs"},
		{At: at("05:52"), Author: "sitrep", Kind: KindHealth, Auto: true, Data: HealthData{Check: "api", From: "up", To: "down", Reason: "HTTP 503"}},
		{At: at("05:53"), Author: "sitrep", Kind: KindAlert, Auto: true, Data: AlertData{Name: "DBConnectionPoolSaturated", State: "firing", Severity: "critical", Summary: "pool at 100%"}},
		{At: at("06:12"), Author: ic, Kind: KindDetected, Text: "paged by DBConnectionPoolSaturated"},
		{At: at("06:15"), Author: "oncall@laptop", Kind: KindNote, Text: "# not a heading | not a cell `not code` <script>alert(1)</script> \x1b]0;pwned\x07"},
		{At: at("06:16"), Author: "oncall@laptop", Kind: KindNote, Text: "customer email: someone@example.com"},
		{At: at("06:17"), Author: ic, Kind: KindRedact, Text: "redacted entry 7", Data: RedactData{Seq: 7, Reason: "personal data"}},
		{At: at("06:20"), Author: "sitrep", Kind: KindChange, Auto: true, Data: ChangeData{Repo: "acme/api", Kind: "deploy", Title: "deploy 142 (async writes 100%)", Author: "dev1", At: at("05:30"), Status: "success", Ref: "142"}},
		{At: at("06:21"), Author: ic, Kind: KindChange, Data: ChangeData{Repo: "acme/api", Kind: "pr", Title: "Flush prediction state | asynchronously", Author: "dev2", URL: "https://github.com/acme/api/pull/77", At: at("04:10"), Ref: "77", Suspect: true}},
		{At: at("07:05"), Author: ic, Kind: KindIdentified, Text: "async writes hold DB connections across requests"},
		{At: at("07:30"), Author: ic, Kind: KindFlag, Data: FlagData{Provider: "file", Source: "flagd", Flag: "async-writes", Action: "off", Before: "on", After: "off", Reason: "kill switch", Result: FlagSending}},
		{At: at("07:30"), Author: ic, Kind: KindFlag, Data: FlagData{Provider: "unleash", Source: "unleash", Flag: "new-search", Env: "production", Action: "off", Before: "on", After: "off", Result: FlagSending}},
		{At: at("07:31"), Author: ic, Kind: KindFlag, Data: FlagData{Provider: "file", Source: "flagd", Flag: "async-writes", Action: "off", Before: "on", After: "off", Reason: "kill switch", Result: "applied", Verified: true, VerifyMillis: 1240, Evidence: []MetricReading{{Name: "DB pool used", Value: 100, Unit: "%", State: "crit"}, {Name: "p99", Value: 4.2, Unit: "s", State: "crit"}}}},
		{At: at("07:33"), Author: ic, Kind: KindStatus, Data: StatusData{Phase: "published", UpdateID: "u1", State: "identified", Impact: "major", Title: "Predictions failing", Body: "We identified the cause.\nA fix is rolling out.", Components: []ComponentStatus{{Name: "API", Status: "major_outage"}}, Target: "statuspage", TargetRef: "inc_1"}},
		{At: at("07:33"), Author: ic, Kind: KindStatus, Data: StatusData{Phase: "published", UpdateID: "u1", State: "identified", Impact: "major", Title: "Predictions failing", Body: "We identified the cause.\nA fix is rolling out.", Components: []ComponentStatus{{Name: "API", Status: "major_outage"}}, Target: "slack", TargetRef: "HTTP 200"}},
		{At: at("07:40"), Author: ic, Kind: KindMitigated, Text: "async-writes flag off; pool drained"},
		{At: at("07:41"), Author: ic, Kind: "sparkle", Text: "a kind from a newer sitrep"},
		{At: at("07:50"), Author: ic, Kind: KindAction, Text: "strict timeouts on every dependency @alice", Data: ActionData{Owner: "alice"}},
		{At: at("07:55"), Author: ic, Kind: KindResolved, Text: "Error rates back to normal; no data lost."},
	}
	for _, d := range drafts {
		if _, err := j.Append(d); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMarkdownExportMatchesGolden(t *testing.T) {
	journal := filepath.Join("testdata", "postmortem", "journal.jsonl")
	golden := filepath.Join("testdata", "postmortem", "postmortem.golden.md")
	if *update {
		fixtureJournal(t, journal)
	}
	data, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := DecodeJournal(data)
	if err != nil {
		t.Fatal(err)
	}
	got := BuildPostmortem(NewRecord(entries)).Markdown()
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Markdown differs from %s (run go test ./incident -run Golden -update to accept):\n%s", golden, got)
	}
	for _, bad := range []string{"\x1b", "<script", "someone@example.com"} {
		if bytes.Contains(got, []byte(bad)) {
			t.Errorf("export contains %q", bad)
		}
	}
}

func TestRecordMilestonesAndDurations(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join("testdata", "postmortem", "journal.jsonl"))
	entries, _, _ := DecodeJournal(data)
	r := NewRecord(entries)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"start is the back-filled started entry", r.Start.Format("15:04"), "05:45"},
		{"time to detect", FormatDuration(r.Durations().ToDetect), "27m"},
		{"time to identify", FormatDuration(r.Durations().ToIdentify), "1h 20m"},
		{"time to mitigate", FormatDuration(r.Durations().ToMitigate), "1h 55m"},
		{"time to resolve", FormatDuration(r.Durations().ToResolve), "2h 10m"},
		{"flag rows: the sent change is settled, the lone one is unknown", flagResults(BuildPostmortem(r).Flags), "unknown,applied"},
		{"phase", r.Phase(), "resolved"},
		{"severity", string(rune('0' + r.Severity)), "1"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	j, err := OpenJournal(filepath.Join("testdata", "postmortem", "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if start, err := j.Start(); err != nil || !start.Equal(r.Start) {
		t.Errorf("Journal.Start = %v, %v; the record says %v", start, err, r.Start)
	}
	if _, ok := r.Redacted[7]; !ok {
		t.Error("entry 7 not redacted")
	}
	for _, e := range r.Timeline {
		if e.Seq == 7 {
			t.Error("redacted entry is in the timeline")
		}
	}
}

func flagResults(rows []FlagRow) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Result)
	}
	return strings.Join(out, ",")
}

func TestJSONExportHasStableFields(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join("testdata", "postmortem", "journal.jsonl"))
	entries, _, _ := DecodeJournal(data)
	out, err := BuildPostmortem(NewRecord(entries)).JSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "title", "severity", "status", "start", "milestones", "summary", "timeline", "flags_changed", "status_updates", "changes_before", "root_cause", "resolution", "follow_up_actions", "redacted_seqs", "durations_seconds"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON export lacks %q", k)
		}
	}
	if bytes.Contains(out, []byte("\\u001b")) || bytes.Contains(out, []byte("someone@example.com")) {
		t.Error("JSON export leaks an escape or a redacted entry")
	}
	var tl []map[string]any
	b, _ := json.Marshal(m["timeline"])
	json.Unmarshal(b, &tl)
	for _, row := range tl {
		if row["event"] == "a kind from a newer sitrep" && row["kind"] != "note" {
			t.Errorf("unknown kind exported as %v, want note", row["kind"])
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{45 * time.Second, "45s"},
		{27 * time.Minute, "27m"},
		{2*time.Hour + 5*time.Minute, "2h 05m"},
		{26*time.Hour + 30*time.Minute, "1d 02h"},
		{-12 * time.Minute, "-12m"},
		{0, "0s"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestEscapeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a|b", `a\|b`},
		{`a\|b`, `a\\\|b`},
		{"`code`", "\\`code\\`"},
		{"<b>", "&lt;b&gt;"},
		{"# head", `\# head`},
		{"two\nlines", "two lines"},
		{"\x1b[31mred", "red"},
	}
	for _, tt := range tests {
		if got := EscapeCell(tt.in); got != tt.want {
			t.Errorf("EscapeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzEscapeCell: whatever a cell contains, the row stays one row with the
// same number of cells.
func FuzzEscapeCell(f *testing.F) {
	for _, s := range []string{"a|b", `\|`, "x\ny", "`", "<", "\x1b]0;t\x07", "\\\\|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cell := EscapeCell(s)
		row := "| " + cell + " | x |"
		if strings.ContainsAny(row, "\n\r") {
			t.Fatalf("row has a line break: %q", row)
		}
		if n := countUnescapedPipes(row); n != 3 {
			t.Fatalf("row %q has %d cell delimiters, want 3", row, n)
		}
	})
}

// countUnescapedPipes counts pipes not preceded by an odd run of backslashes.
func countUnescapedPipes(s string) int {
	n, bs := 0, 0
	for _, r := range s {
		switch r {
		case '\\':
			bs++
			continue
		case '|':
			if bs%2 == 0 {
				n++
			}
		}
		bs = 0
	}
	return n
}

// FuzzDecodeJournal: arbitrary bytes never panic, and the good prefix
// always decodes to the same entries when re-read on its own.
func FuzzDecodeJournal(f *testing.F) {
	good, _ := os.ReadFile(filepath.Join("testdata", "postmortem", "journal.jsonl"))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"seq":1,"at":"2026-01-01T00:00:00Z","kind":"note","text":"x","prev":""}` + "\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, n, err := DecodeJournal(data)
		if n < 0 || n > len(data) {
			t.Fatalf("good prefix length %d out of range", n)
		}
		again, n2, err2 := DecodeJournal(data[:n])
		if err2 != nil || n2 != n || len(again) != len(entries) {
			t.Fatalf("good prefix does not re-decode: %v %d/%d %d/%d (first err %v)", err2, n2, n, len(again), len(entries), err)
		}
		for i, e := range entries {
			if e.Seq != int64(i+1) {
				t.Fatalf("entry %d has seq %d", i, e.Seq)
			}
		}
		VerifyChain(data)
		NewRecord(entries) // must not panic on any entry
		BuildPostmortem(NewRecord(entries)).Markdown()
	})
}
