package commands

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/gh/ghtest"
)

var incidentStart = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func openIncident(t *testing.T) *incident.Journal {
	t.Helper()
	j, _, err := incident.Store{Dir: t.TempDir()}.Create("API 5xx spike", 2, "alice@bastion", incidentStart)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// journaled decodes the data of every entry of kind in j.
func journaled[T any](t *testing.T, j *incident.Journal, kind incident.Kind) []T {
	t.Helper()
	entries, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	for _, e := range entries {
		if e.Kind == kind {
			var d T
			if err := e.Decode(&d); err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
	}
	return out
}

func changesIn(t *testing.T, j *incident.Journal) []incident.ChangeData {
	return journaled[incident.ChangeData](t, j, incident.KindChange)
}

var deploy901 = incident.ChangeData{Repo: "org/svc", Kind: "deploy", Title: "deploy v2.4.0 to production", Author: "alice",
	At: incidentStart.Add(-12 * time.Minute), Status: "success", Ref: "901"}

func TestMarkSuspectJournalsOnceAndSaysSoTheSecondTime(t *testing.T) {
	j := openIncident(t)
	msg, err := MarkSuspect(j, deploy901, "bob@bastion")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(msg, "marked as suspect (entry 2)") {
		t.Errorf("first mark said %q", msg)
	}
	msg, err = MarkSuspect(j, deploy901, "carol@bastion")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(msg, "already marked as suspect (entry 2)") {
		t.Errorf("second mark said %q", msg)
	}
	got := changesIn(t, j)
	if len(got) != 1 || !got[0].Suspect || got[0].Ref != "901" {
		t.Fatalf("journal changes = %+v, want one suspect entry for 901", got)
	}
}

func TestMarkSuspectAfterTheRecorderJournaledTheChangeStillMarks(t *testing.T) {
	j := openIncident(t)
	if _, err := j.Append(incident.Draft{Kind: incident.KindChange, Text: "deploy", Data: deploy901, Auto: true}); err != nil {
		t.Fatal(err)
	}
	msg, err := MarkSuspect(j, deploy901, "bob@bastion")
	if err != nil || !strings.HasPrefix(msg, "marked as suspect") {
		t.Fatalf("MarkSuspect = %q, %v; an unmarked recorded change must be markable", msg, err)
	}
}

func TestMarkSuspectRefusesIncompleteChanges(t *testing.T) {
	j := openIncident(t)
	for _, c := range []incident.ChangeData{
		{Repo: "org/svc", Kind: "deploy"},            // no ref
		{Kind: "pr", Ref: "4"},                       // no repo
		{Repo: "org/svc", Kind: "commit", Ref: "ab"}, // unknown kind
	} {
		if _, err := MarkSuspect(j, c, "bob"); err == nil {
			t.Errorf("MarkSuspect(%+v) succeeded, want an error", c)
		}
	}
	if n := len(changesIn(t, j)); n != 0 {
		t.Errorf("%d change entries journaled by refused marks", n)
	}
}

func TestMergeChanges(t *testing.T) {
	pr42 := incident.ChangeData{Repo: "org/svc", Kind: "pr", Title: "pool limit", At: incidentStart.Add(-40 * time.Minute), Status: "merged", Ref: "42"}
	late := incident.ChangeData{Repo: "org/svc", Kind: "deploy", Title: "deploy v2.4.1", At: incidentStart.Add(5 * time.Minute), Status: "in_progress", Ref: "903"}
	suspect := deploy901
	suspect.Suspect = true
	entry := func(c incident.ChangeData) incident.Entry {
		b, _ := json.Marshal(c)
		return incident.Entry{Seq: 2, At: incidentStart, Kind: incident.KindChange, Data: b}
	}
	for _, tc := range []struct {
		name    string
		entries []incident.Entry
		fetched []incident.ChangeData
		want    []string // Ref, "*" suffix for suspect, in order
		check   func(t *testing.T, got []incident.ChangeData)
	}{
		{name: "fetch alone is newest first", fetched: []incident.ChangeData{pr42, late, deploy901}, want: []string{"903", "901", "42"}},
		{name: "a journaled suspect sorts first and stays suspect when fetched again",
			entries: []incident.Entry{entry(suspect)}, fetched: []incident.ChangeData{pr42, late, deploy901},
			want: []string{"901*", "903", "42"}},
		{name: "a fetched change never becomes suspect on its own",
			fetched: []incident.ChangeData{suspect}, want: []string{"901"}},
		{name: "the fetch's newer status replaces the journal's",
			entries: []incident.Entry{entry(late)}, fetched: []incident.ChangeData{func() incident.ChangeData { c := late; c.Status = "success"; return c }()},
			want: []string{"903"},
			check: func(t *testing.T, got []incident.ChangeData) {
				if got[0].Status != "success" {
					t.Errorf("status %q, want success", got[0].Status)
				}
			}},
		{name: "strings are sanitized", fetched: []incident.ChangeData{{Repo: "org/svc", Kind: "pr", Ref: "9", Title: "x\x1b]0;owned\x07"}},
			want: []string{"9"},
			check: func(t *testing.T, got []incident.ChangeData) {
				if strings.ContainsRune(got[0].Title, 0x1b) {
					t.Errorf("title %q kept an escape", got[0].Title)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MergeChanges(tc.entries, tc.fetched)
			var refs []string
			for _, c := range got {
				r := c.Ref
				if c.Suspect {
					r += "*"
				}
				refs = append(refs, r)
			}
			if strings.Join(refs, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", refs, tc.want)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

func TestWindowChangesMergesTheJournalWithAFreshFetch(t *testing.T) {
	srv := ghtest.New(t, ghToken, "org/svc")
	at := incidentStart.Add(-30 * time.Minute)
	srv.Repo("org/svc").Deployments = []*ghtest.Deployment{{ID: 901, Ref: "v2.4.0", Environment: "production", Creator: "alice", CreatedAt: incidentStart.Add(-12 * time.Minute)}}
	srv.Repo("org/svc").Pulls = []*ghtest.Pull{{Number: 42, Title: "pool limit", User: "bob", State: "closed", Head: "p", Base: "main", UpdatedAt: at, MergedAt: &at}}
	j := openIncident(t)
	if _, err := MarkSuspect(j, deploy901, "bob"); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, srv)
	got, err := WindowChanges(context.Background(), j, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Suspect || got[0].Ref != "901" || got[1].Ref != "42" {
		t.Fatalf("got %+v, want suspect deploy 901 then PR 42", got)
	}

	// GitHub unreachable: the journal's changes still come back, with why.
	srv.Close()
	got, err = WindowChanges(context.Background(), j, cfg)
	if err == nil || !strings.Contains(err.Error(), "changes from GitHub are missing") {
		t.Errorf("err = %v, want it to say the fetch is missing", err)
	}
	if len(got) != 1 || got[0].Ref != "901" {
		t.Errorf("got %+v, want the journaled suspect", got)
	}
}

func testConfig(t *testing.T, srv *ghtest.Server) *config.GitHub {
	t.Setenv("SITREP_TEST_GH_TOKEN", ghToken)
	return &config.GitHub{Repos: []string{"org/svc"}, PostmortemRepo: "org/svc", TokenEnv: "SITREP_TEST_GH_TOKEN",
		Environment: "production", BaseURL: srv.BaseURL(), Window: config.Duration(6 * time.Hour),
		Labels: []string{"postmortem", "incident"}, Interval: config.Duration(time.Minute), Timeout: config.Duration(5 * time.Second)}
}
