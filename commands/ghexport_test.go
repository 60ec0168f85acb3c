package commands

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/gh/ghtest"
)

const ghToken = "ghp_EXPORTTESTTOKEN_must_never_leak"

func exportsIn(t *testing.T, j *incident.Journal) []incident.ExportData {
	return journaled[incident.ExportData](t, j, incident.KindExport)
}

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestExportIssueCreatesOnceThenUpdatesTheSameIssue(t *testing.T) {
	srv := ghtest.New(t, ghToken, "org/svc")
	cfg := testConfig(t, srv)
	j := openIncident(t)

	first, err := ExportIssue(tctx(t), j, cfg, []byte("# Postmortem v1\n"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || first.Number != 1 || first.URL != "https://github.example/org/svc/issues/1" {
		t.Fatalf("first export = %+v", first)
	}
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	var body map[string]any
	json.Unmarshal(last.Body, &body)
	if last.Method != "POST" || last.Path != "/repos/org/svc/issues" || body["title"] != "Postmortem: API 5xx spike" ||
		body["body"] != "# Postmortem v1\n" || fmt.Sprint(body["labels"]) != "[postmortem incident]" {
		t.Errorf("create request %s %s %v", last.Method, last.Path, body)
	}

	second, err := ExportIssue(tctx(t), j, cfg, []byte("# Postmortem v2\n"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if second.Created || second.Number != 1 {
		t.Errorf("second export = %+v, want an update of #1", second)
	}
	reqs = srv.Requests()
	last = reqs[len(reqs)-1]
	if last.Method != "PATCH" || last.Path != "/repos/org/svc/issues/1" {
		t.Errorf("update request %s %s, want PATCH /repos/org/svc/issues/1", last.Method, last.Path)
	}
	repo := srv.Repo("org/svc")
	if len(repo.Issues) != 1 || repo.Issues[0].Body != "# Postmortem v2\n" {
		t.Errorf("GitHub has %d issues, body %q; want one, updated", len(repo.Issues), repo.Issues[0].Body)
	}
	ex := exportsIn(t, j)
	if len(ex) != 2 || ex[0] != (incident.ExportData{Target: "github-issue", URL: first.URL, Ref: "1"}) || ex[1].Ref != "1" {
		t.Errorf("journaled exports = %+v", ex)
	}
	if !strings.HasPrefix(second.String(), "updated issue #1: https://") {
		t.Errorf("result line %q", second)
	}
}

func TestExportIssueOpensANewOneWhenTheOldIsGone(t *testing.T) {
	srv := ghtest.New(t, ghToken, "org/svc")
	cfg := testConfig(t, srv)
	j := openIncident(t)
	if _, err := ExportIssue(tctx(t), j, cfg, []byte("v1"), "alice"); err != nil {
		t.Fatal(err)
	}
	srv.Mu.Lock()
	srv.Repos["org/svc"].Issues = nil // deleted by an admin
	srv.Mu.Unlock()
	res, err := ExportIssue(tctx(t), j, cfg, []byte("v2"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || !strings.Contains(res.Note, "is gone") {
		t.Errorf("res = %+v, want a new issue and a note", res)
	}
}

func TestExportIssueRefusesABodyGitHubWouldReject(t *testing.T) {
	srv := ghtest.New(t, ghToken, "org/svc")
	j := openIncident(t)
	_, err := ExportIssue(tctx(t), j, testConfig(t, srv), bytes.Repeat([]byte("x"), issueBodyMax+1), "alice")
	if err == nil || !strings.Contains(err.Error(), "--github-pr") {
		t.Fatalf("err = %v, want advice to use --github-pr", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent for a body that cannot be accepted", n)
	}
}

func TestExportPRCreatesBranchFileAndPRThenUpdatesTheFile(t *testing.T) {
	srv := ghtest.New(t, ghToken, "org/svc")
	cfg := testConfig(t, srv)
	j := openIncident(t)
	branch := "postmortem/" + j.ID()
	path := "postmortems/2026-11-27-api-5xx-spike.md"

	first, err := ExportPR(tctx(t), j, cfg, []byte("# v1\n"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || first.Path != path || first.URL == "" {
		t.Fatalf("first export = %+v", first)
	}
	var calls []string
	for _, r := range srv.Requests() {
		calls = append(calls, r.Method+" "+r.Path)
	}
	want := []string{
		"GET /repos/org/svc",
		"GET /repos/org/svc/git/ref/heads/" + branch,
		"GET /repos/org/svc/git/ref/heads/main",
		"POST /repos/org/svc/git/refs",
		"GET /repos/org/svc/contents/" + path,
		"PUT /repos/org/svc/contents/" + path,
		"GET /repos/org/svc/pulls",
		"POST /repos/org/svc/pulls",
	}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
	put := findRequest(t, srv, "PUT", "/repos/org/svc/contents/"+path)
	var putBody map[string]any
	json.Unmarshal(put.Body, &putBody)
	if putBody["branch"] != branch || putBody["content"] != base64.StdEncoding.EncodeToString([]byte("# v1\n")) || putBody["sha"] != nil {
		t.Errorf("create-file body %v: want branch %s, the content, no sha", putBody, branch)
	}
	prReq := findRequest(t, srv, "POST", "/repos/org/svc/pulls")
	var prBody map[string]any
	json.Unmarshal(prReq.Body, &prBody)
	if prBody["head"] != branch || prBody["base"] != "main" || prBody["title"] != "Postmortem: API 5xx spike" {
		t.Errorf("pull request body %v", prBody)
	}
	if got := findRequest(t, srv, "GET", "/repos/org/svc/pulls"); got.Query.Get("head") != "org:"+branch || got.Query.Get("state") != "open" {
		t.Errorf("open-PR lookup query %v", got.Query)
	}

	srv.ResetRequests()
	second, err := ExportPR(tctx(t), j, cfg, []byte("# v2\n"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if second.Created || second.Number != first.Number {
		t.Errorf("second export = %+v, want the same PR #%d", second, first.Number)
	}
	put = findRequest(t, srv, "PUT", "/repos/org/svc/contents/"+path)
	json.Unmarshal(put.Body, &putBody)
	if putBody["sha"] != ghtest.BlobSHA("# v1\n") {
		t.Errorf("update sent sha %v, want the current file's %s", putBody["sha"], ghtest.BlobSHA("# v1\n"))
	}
	for _, r := range srv.Requests() {
		if r.Method == "POST" {
			t.Errorf("re-run sent POST %s; it must not create a branch or a second PR", r.Path)
		}
	}
	repo := srv.Repo("org/svc")
	if len(repo.Pulls) != 1 || repo.Files[branch][path] != "# v2\n" {
		t.Errorf("GitHub has %d PRs and file %q; want 1 and the new content", len(repo.Pulls), repo.Files[branch][path])
	}

	srv.ResetRequests()
	third, err := ExportPR(tctx(t), j, cfg, []byte("# v2\n"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if third.Note != "file unchanged" {
		t.Errorf("third export = %+v, want the unchanged note", third)
	}
	for _, r := range srv.Requests() {
		if r.Method == "PUT" {
			t.Error("an unchanged postmortem must not make an empty commit")
		}
	}
	ex := exportsIn(t, j)
	if len(ex) != 3 || ex[0].Target != "github-pr" || ex[0].Ref != fmt.Sprint(first.Number) {
		t.Errorf("journaled exports = %+v", ex)
	}
}

func findRequest(t *testing.T, srv *ghtest.Server, method, path string) ghtest.Request {
	t.Helper()
	for _, r := range srv.Requests() {
		if r.Method == method && r.Path == path {
			return r
		}
	}
	t.Fatalf("no %s %s request", method, path)
	return ghtest.Request{}
}

func TestExportErrorsAreOneLine(t *testing.T) {
	srv := ghtest.New(t, ghToken, "org/svc")
	cfg := testConfig(t, srv)
	j := openIncident(t)

	t.Setenv("SITREP_TEST_GH_TOKEN", "wrong-token")
	_, err := ExportIssue(tctx(t), j, cfg, []byte("x"), "alice")
	if err == nil || err.Error() != "GitHub token rejected (401): check $SITREP_TEST_GH_TOKEN" {
		t.Errorf("bad token: err = %v", err)
	}

	t.Setenv("SITREP_TEST_GH_TOKEN", ghToken)
	cfg.PostmortemRepo = "org/missing"
	_, err = ExportPR(tctx(t), j, cfg, []byte("x"), "alice")
	if err == nil || !strings.Contains(err.Error(), "repo org/missing not found or token lacks access (404)") {
		t.Errorf("missing repo: err = %v", err)
	}

	os.Unsetenv("SITREP_TEST_GH_TOKEN")
	_, err = ExportIssue(tctx(t), j, cfg, []byte("x"), "alice")
	if err == nil || !strings.Contains(err.Error(), "SITREP_TEST_GH_TOKEN is empty or not set") {
		t.Errorf("unset token: err = %v", err)
	}
	if n := len(exportsIn(t, j)); n != 0 {
		t.Errorf("%d export entries journaled by failed exports", n)
	}
}

// TestTokenNeverLeaks runs every GitHub verb, successful and failing, and
// greps everything they produce: journal bytes, results, errors, the log.
func TestTokenNeverLeaks(t *testing.T) {
	var logBuf bytes.Buffer
	log.SetOutput(&logBuf)
	defer log.SetOutput(os.Stderr)

	srv := ghtest.New(t, ghToken, "org/svc")
	cfg := testConfig(t, srv)
	j := openIncident(t)
	var outputs []string
	note := func(v any, err error) {
		outputs = append(outputs, fmt.Sprint(v))
		if err != nil {
			outputs = append(outputs, err.Error())
		}
	}
	note(ExportIssue(tctx(t), j, cfg, []byte("# pm"), "alice"))
	note(ExportIssue(tctx(t), j, cfg, []byte("# pm 2"), "alice"))
	note(ExportPR(tctx(t), j, cfg, []byte("# pm"), "alice"))
	note(MarkSuspect(j, deploy901, "alice"))
	note(WindowChanges(tctx(t), j, cfg))
	srv.Fail = map[string]int{"/repos": 500}
	note(ExportPR(tctx(t), j, cfg, []byte("# pm 3"), "alice"))
	srv.Token = "other"
	note(ExportIssue(tctx(t), j, cfg, []byte("# pm 4"), "alice"))

	journal, err := os.ReadFile(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	// The exports fetch the change window through the same fake GitHub.
	pm, _, err := Postmortem(tctx(t), j, ExportOptions{Format: "md", GitHub: cfg})
	if err != nil {
		t.Fatal(err)
	}
	pmJSON, _, err := Postmortem(tctx(t), j, ExportOptions{Format: "json", GitHub: cfg})
	if err != nil {
		t.Fatal(err)
	}
	all := string(journal) + string(pm) + string(pmJSON) + logBuf.String() + strings.Join(outputs, "\n")
	if strings.Contains(all, ghToken) || strings.Contains(all, ghToken[4:20]) {
		t.Fatal("the token appears in the journal, an export, a result, an error or the log")
	}
	if !strings.Contains(string(journal), "github-issue") || !strings.Contains(string(journal), "github-pr") {
		t.Error("the exports were not journaled, so this test checked nothing")
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, ghToken) || strings.Contains(r.Query.Encode(), ghToken) || bytes.Contains(r.Body, []byte(ghToken)) {
			t.Errorf("the token was sent outside the Authorization header: %s %s", r.Method, r.Path)
		}
	}
}

func TestExportIssueToANewPostmortemRepoOpensAnIssueThere(t *testing.T) {
	srv := ghtest.New(t, ghToken, "org/svc", "org/postmortems")
	cfg := testConfig(t, srv)
	j := openIncident(t)
	if _, err := ExportIssue(tctx(t), j, cfg, []byte("v1"), "alice"); err != nil {
		t.Fatal(err)
	}
	cfg.PostmortemRepo = "org/postmortems"
	res, err := ExportIssue(tctx(t), j, cfg, []byte("v2"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || !strings.Contains(res.URL, "/org/postmortems/issues/1") {
		t.Errorf("res = %+v, want a new issue in org/postmortems (the old one is in org/svc)", res)
	}
	if n := len(srv.Repo("org/svc").Issues); n != 1 {
		t.Errorf("org/svc has %d issues, want the first export's one", n)
	}
}
