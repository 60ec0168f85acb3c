package gh_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/internal/gh"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// fixtureDir holds response bodies in GitHub's real shape.
var fixtureDir = filepath.Join("..", "..", "testdata", "github")

// canned answers every request with one status and body, without a network.
type canned struct {
	status int
	body   []byte
	header http.Header
}

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range c.header {
		h[k] = v
	}
	return &http.Response{StatusCode: c.status, Header: h, Body: io.NopCloser(bytes.NewReader(c.body)), Request: req}, nil
}

func cannedClient(t testing.TB, status int, body []byte) *gh.Client {
	c, err := gh.New("https://api.github.example/", token, &http.Client{Transport: canned{status: status, body: body}}, gh.WithTokenSource("$GITHUB_TOKEN"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fixture(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodesRealGitHubPayloads(t *testing.T) {
	since := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	bg := context.Background()
	r := gh.Repo{Owner: "octocat", Name: "example"}

	deps, err := cannedClient(t, 200, fixture(t, "deployments.json")).ListDeployments(bg, r, "production", since)
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) != 1 || deps[0].ID != 1002 || deps[0].Ref != "v2.4.0" || deps[0].Creator != "octocat" ||
		!deps[0].CreatedAt.Equal(time.Date(2026, 11, 27, 8, 48, 0, 0, time.UTC)) {
		t.Errorf("deployments = %+v, want only 1002 (1001 is before the window)", deps)
	}

	st, ok, err := cannedClient(t, 200, fixture(t, "deployment_statuses.json")).LatestDeploymentStatus(bg, r, 1002)
	if err != nil || !ok || st.State != "success" || st.URL != "https://ci.example.com/deploy/1002/log" {
		t.Errorf("status = %+v %v %v", st, ok, err)
	}

	prs, err := cannedClient(t, 200, fixture(t, "pulls_closed.json")).ListMergedPullRequests(bg, r, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(prs) != 1 || prs[0].Number != 1347 || prs[0].Author != "octocat" || prs[0].URL != "https://github.com/octocat/example/pull/1347" ||
		!prs[0].MergedAt.Equal(time.Date(2026, 11, 27, 8, 20, 0, 0, time.UTC)) {
		t.Errorf("merged PRs = %+v, want only #1347 (1346 unmerged, 1200 too old)", prs)
	}

	rels, err := cannedClient(t, 200, fixture(t, "releases.json")).ListReleases(bg, r, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 1 || rels[0].Tag != "v2.4.0" || rels[0].Name != "v2.4.0: pool tuning" ||
		!rels[0].PublishedAt.Equal(time.Date(2026, 11, 27, 8, 31, 0, 0, time.UTC)) {
		t.Errorf("releases = %+v, want only v2.4.0 (the draft and v2.3.0 are out)", rels)
	}

	_, err = cannedClient(t, 401, fixture(t, "error_401.json")).ListReleases(bg, r, since)
	if err == nil || err.Error() != "GitHub token rejected (401): check $GITHUB_TOKEN" {
		t.Errorf("401: %v", err)
	}
	_, err = cannedClient(t, 200, []byte("<!DOCTYPE html><html>GitHub Enterprise sign in</html>")).ListReleases(bg, r, since)
	if err == nil || !strings.Contains(err.Error(), "is github.base_url the API root (https://HOST/api/v3/ for GitHub Enterprise)?") {
		t.Errorf("HTML instead of JSON: %v", err)
	}
	_, err = cannedClient(t, 409, []byte(`{"message":"postmortems/x.md does not match 1234"}`)).PutFile(bg, r, "postmortems/x.md", "b", "m", []byte("x"), "1234")
	if err == nil || !strings.Contains(err.Error(), "(409): it changed since sitrep read it") {
		t.Errorf("409: %v", err)
	}
	// go-github reports a 304 as an error; only one we did not ask for
	// (no cached copy) can reach it, and it says so.
	_, err = cannedClient(t, 304, nil).ListReleases(bg, r, since)
	if err == nil || !strings.Contains(err.Error(), "304 Not Modified without a cached copy") {
		t.Errorf("stray 304: %v", err)
	}
	_, err = cannedClient(t, 422, fixture(t, "error_422_validation.json")).CreatePullRequest(bg, r, "h", "main", "t", "b")
	if err == nil || !strings.Contains(err.Error(), "(422): Validation Failed; A pull request already exists for octocat:postmortem/x.") {
		t.Errorf("422: %v", err)
	}
}

// FuzzDecodeChanges feeds arbitrary bodies and statuses to every listing:
// no panic, and whatever comes back is clean single-line text.
func FuzzDecodeChanges(f *testing.F) {
	for _, name := range []string{"deployments.json", "deployment_statuses.json", "pulls_closed.json", "releases.json", "error_401.json", "error_422_validation.json"} {
		f.Add(uint16(200), fixture(f, name))
	}
	f.Add(uint16(304), []byte(""))
	f.Add(uint16(403), []byte(`{"message":"\u001b]0;x\u0007"}`))
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		st := 100 + int(status)%500
		c := cannedClient(t, st, body)
		bg := context.Background()
		r := gh.Repo{Owner: "o", Name: "r"}
		var lines []string
		if deps, err := c.ListDeployments(bg, r, "", time.Time{}); err == nil {
			for _, d := range deps {
				lines = append(lines, d.Ref, d.SHA, d.Environment, d.Description, d.Creator)
			}
		} else {
			lines = append(lines, err.Error())
		}
		if prs, err := c.ListMergedPullRequests(bg, r, time.Time{}); err == nil {
			for _, p := range prs {
				lines = append(lines, p.Title, p.Author, p.URL, p.Head, p.Base)
			}
		} else {
			lines = append(lines, err.Error())
		}
		if rels, err := c.ListReleases(bg, r, time.Time{}); err == nil {
			for _, rel := range rels {
				lines = append(lines, rel.Tag, rel.Name, rel.Author, rel.URL)
			}
		} else {
			lines = append(lines, err.Error())
		}
		if s, _, err := c.LatestDeploymentStatus(bg, r, 1); err == nil {
			lines = append(lines, s.State, s.Description, s.URL)
		} else {
			lines = append(lines, err.Error())
		}
		for _, l := range lines {
			if !sanitize.IsClean(l) {
				t.Fatalf("unclean text escaped the client: %q", l)
			}
			if strings.Contains(l, token) {
				t.Fatalf("token in %q", l)
			}
		}
	})
}

func FuzzParseRepo(f *testing.F) {
	for _, s := range []string{"org/svc", "a/b/c", "/x", "x/", "", "org/svc\n", "o/\x1b[2J"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := gh.ParseRepo(s)
		if err != nil {
			return
		}
		if r.String() != s || r.Owner == "" || r.Name == "" || strings.Contains(r.Name, "/") {
			t.Fatalf("ParseRepo(%q) = %+v", s, r)
		}
	})
}
