package gh_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/internal/gh"
	"github.com/sitrep-dev/sitrep/internal/gh/ghtest"
)

const token = "ghp_TESTTOKEN0123456789secret"

func newClient(t *testing.T, srv *ghtest.Server, opts ...gh.Option) *gh.Client {
	t.Helper()
	c, err := gh.New(srv.BaseURL(), token, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c
}

var repo = gh.Repo{Owner: "org", Name: "svc"}

func TestNewValidatesBaseURL(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		ok        bool
	}{
		{"empty means api.github.com", "", true},
		{"GHE path without trailing slash is accepted", "https://ghe.example/api/v3", true},
		{"ftp scheme is refused", "ftp://x/", false},
		{"missing host is refused", "https:///api", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gh.New(tc.url, "", nil)
			if (err == nil) != tc.ok {
				t.Fatalf("New(%q) error = %v, want ok=%v", tc.url, err, tc.ok)
			}
		})
	}
	if _, err := gh.New("", "a\nb", nil); err == nil {
		t.Fatal("a token with a newline must be refused (header injection)")
	}
}

func TestParseRepo(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{{"org/svc", true}, {"org", false}, {"/svc", false}, {"org/", false}, {"a/b/c", false}} {
		if _, err := gh.ParseRepo(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseRepo(%q) error = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

// TestCallsSendWhatGitHubExpects pins each method's HTTP method, path,
// query and body, and that every request carries the bearer token.
func TestCallsSendWhatGitHubExpects(t *testing.T) {
	since := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		call      func(c *gh.Client) error
		method    string
		path      string
		query     map[string]string
		wantBody  map[string]any
		bodyField string
	}{
		{
			name: "create issue posts title body labels",
			call: func(c *gh.Client) error {
				_, err := c.CreateIssue(ctx(t), repo, "Postmortem: x", "# body", []string{"postmortem", "sev2"})
				return err
			},
			method: "POST", path: "/repos/org/svc/issues",
			wantBody: map[string]any{"title": "Postmortem: x", "body": "# body", "labels": []any{"postmortem", "sev2"}},
		},
		{
			name: "list deployments filters by environment server-side",
			call: func(c *gh.Client) error {
				_, err := c.ListDeployments(ctx(t), repo, "production", since)
				return err
			},
			method: "GET", path: "/repos/org/svc/deployments",
			query: map[string]string{"environment": "production", "per_page": "100"},
		},
		{
			name: "merged PRs list closed sorted by updated desc",
			call: func(c *gh.Client) error {
				_, err := c.ListMergedPullRequests(ctx(t), repo, since)
				return err
			},
			method: "GET", path: "/repos/org/svc/pulls",
			query: map[string]string{"state": "closed", "sort": "updated", "direction": "desc", "per_page": "100"},
		},
		{
			name: "releases list with max page size",
			call: func(c *gh.Client) error {
				_, err := c.ListReleases(ctx(t), repo, since)
				return err
			},
			method: "GET", path: "/repos/org/svc/releases", query: map[string]string{"per_page": "100"},
		},
		{
			name: "branch sha reads the heads ref",
			call: func(c *gh.Client) error {
				_, err := c.BranchSHA(ctx(t), repo, "main")
				return err
			},
			method: "GET", path: "/repos/org/svc/git/ref/heads/main",
		},
		{
			name:   "create branch posts refs/heads and the sha",
			call:   func(c *gh.Client) error { return c.CreateBranch(ctx(t), repo, "postmortem/x", "abc123") },
			method: "POST", path: "/repos/org/svc/git/refs",
			wantBody: map[string]any{"ref": "refs/heads/postmortem/x", "sha": "abc123"},
		},
		{
			name: "put file without sha creates it on the branch, content base64",
			call: func(c *gh.Client) error {
				_, err := c.PutFile(ctx(t), repo, "postmortems/a.md", "main", "add postmortem", []byte("hi"), "")
				return err
			},
			method: "PUT", path: "/repos/org/svc/contents/postmortems/a.md",
			wantBody: map[string]any{"message": "add postmortem", "content": "aGk=", "branch": "main"},
		},
		{
			name: "rate limit reads /rate_limit",
			call: func(c *gh.Client) error {
				r, err := c.RateLimit(ctx(t))
				if err == nil && r.Limit != 5000 {
					return fmt.Errorf("limit %d, want 5000", r.Limit)
				}
				return err
			},
			method: "GET", path: "/rate_limit",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ghtest.New(t, token, "org/svc")
			if err := tc.call(newClient(t, srv)); err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1: %+v", len(reqs), reqs)
			}
			r := reqs[0]
			if r.Method != tc.method || r.Path != tc.path {
				t.Errorf("got %s %s, want %s %s", r.Method, r.Path, tc.method, tc.path)
			}
			if r.Auth != "Bearer "+token {
				t.Errorf("Authorization = %q, want the bearer token", r.Auth)
			}
			for k, v := range tc.query {
				if got := r.Query.Get(k); got != v {
					t.Errorf("query %s = %q, want %q", k, got, v)
				}
			}
			if tc.wantBody != nil {
				var got map[string]any
				if err := json.Unmarshal(r.Body, &got); err != nil {
					t.Fatalf("body %q: %v", r.Body, err)
				}
				for k, v := range tc.wantBody {
					if fmt.Sprint(got[k]) != fmt.Sprint(v) {
						t.Errorf("body %s = %v, want %v", k, got[k], v)
					}
				}
			}
		})
	}
}

func TestUnchangedListIsA304ServedFromCacheAtNoRateCost(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	srv.Repo("org/svc").Deployments = []*ghtest.Deployment{{ID: 7, Ref: "v1.2.3", Environment: "production", Creator: "alice", CreatedAt: start}}
	c := newClient(t, srv)

	first, err := c.ListDeployments(ctx(t), repo, "production", start.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	remaining := c.LastRate().Remaining

	cctx, stats := gh.WithStats(ctx(t))
	second, err := c.ListDeployments(cctx, repo, "production", start.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	if last.IfNoneMatch == "" || last.Status != http.StatusNotModified {
		t.Fatalf("second request: If-None-Match %q, status %d; want conditional and 304", last.IfNoneMatch, last.Status)
	}
	if !stats.Unchanged() || stats.NotModified() != 1 {
		t.Errorf("stats: %d requests, %d not modified; want 1/1", stats.Requests(), stats.NotModified())
	}
	if got := c.LastRate().Remaining; got != remaining {
		t.Errorf("remaining went %d → %d across a 304; a 304 must cost nothing", remaining, got)
	}
	if len(second) != 1 || second[0] != first[0] {
		t.Errorf("cached result %+v differs from first %+v", second, first)
	}

	// A change is seen: the ETag no longer matches.
	srv.Mu.Lock()
	srv.Repos["org/svc"].Deployments[0].Description = "hotfix"
	srv.Mu.Unlock()
	third, err := c.ListDeployments(ctx(t), repo, "production", start.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if third[0].Description != "hotfix" {
		t.Errorf("after a change got %+v, want the new description", third[0])
	}
}

func TestPaginationFollowsLinkHeadersAcrossThreePages(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	now := time.Now().UTC().Truncate(time.Second)
	r := srv.Repo("org/svc")
	for i := 0; i < 250; i++ {
		merged := now.Add(-time.Duration(i) * time.Minute)
		r.Pulls = append(r.Pulls, &ghtest.Pull{Number: i + 1, Title: fmt.Sprint("pr ", i), State: "closed", Head: "b", Base: "main", UpdatedAt: merged, MergedAt: &merged})
	}
	prs, err := newClient(t, srv).ListMergedPullRequests(ctx(t), repo, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(prs) != 250 {
		t.Fatalf("got %d PRs, want 250", len(prs))
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 pages", len(reqs))
	}
	for i, want := range []string{"", "2", "3"} {
		if got := reqs[i].Query.Get("page"); got != want {
			t.Errorf("request %d page = %q, want %q", i, got, want)
		}
	}
}

func TestMergedPRListingStopsPagingAtTheWindowStart(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	now := time.Now().UTC().Truncate(time.Second)
	r := srv.Repo("org/svc")
	for i := 0; i < 300; i++ { // one per 10 minutes: 50 h of history
		at := now.Add(-time.Duration(i) * 10 * time.Minute)
		var merged *time.Time
		if i%2 == 0 {
			merged = &at
		}
		r.Pulls = append(r.Pulls, &ghtest.Pull{Number: i + 1, State: "closed", Head: "b", Base: "main", UpdatedAt: at, MergedAt: merged})
	}
	prs, err := newClient(t, srv).ListMergedPullRequests(ctx(t), repo, now.Add(-6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// 0..36 inclusive are within 6 h; the even ones are merged.
	if len(prs) != 19 {
		t.Errorf("got %d merged PRs in the window, want 19", len(prs))
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests; the first page already reaches past the window, want 1", n)
	}
}

func TestErrorsAreOneClearLine(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(s *ghtest.Server)
		token   string
		repo    gh.Repo
		want    string
		status  int
		limited bool
	}{
		{name: "401 names the token source", token: "wrong", want: "GitHub token rejected (401): check $GITHUB_TOKEN", status: 401},
		{name: "404 names the repo", repo: gh.Repo{Owner: "org", Name: "x"}, want: "repo org/x not found or token lacks access (404)", status: 404},
		{name: "403 says permission", setup: func(s *ghtest.Server) { s.Fail = map[string]int{"/repos": 403} },
			want: "GitHub refused to list deployments on org/svc (403): the token lacks permission", status: 403},
		{name: "403 with no remaining is the rate limit", setup: func(s *ghtest.Server) {
			s.Fail = map[string]int{"/repos": 403}
			s.RateRemaining = 0
		}, want: "GitHub rate limit exhausted (0/5000 left) until", status: 403, limited: true},
		{name: "500 says server error", setup: func(s *ghtest.Server) { s.Fail = map[string]int{"/repos": 502} },
			want: "GitHub server error 502 while trying to list deployments on org/svc", status: 502},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ghtest.New(t, token, "org/svc")
			if tc.setup != nil {
				tc.setup(srv)
			}
			tok := token
			if tc.token != "" {
				tok = tc.token
			}
			c, err := gh.New(srv.BaseURL(), tok, nil, gh.WithTokenSource("$GITHUB_TOKEN"))
			if err != nil {
				t.Fatal(err)
			}
			r := repo
			if tc.repo != (gh.Repo{}) {
				r = tc.repo
			}
			_, err = c.ListDeployments(ctx(t), r, "", time.Time{})
			if err == nil {
				t.Fatal("want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, tok) {
				t.Errorf("error %q must be one line without the token", msg)
			}
			var ge *gh.Error
			if !errors.As(err, &ge) || ge.Status != tc.status || ge.RateLimited != tc.limited {
				t.Errorf("error = %#v, want *gh.Error status %d limited %v", err, tc.status, tc.limited)
			}
		})
	}
}

func TestHungServerIsCutOff(t *testing.T) {
	for _, tc := range []struct {
		name     string
		deadline time.Duration // on the caller's context; 0 for none
		opts     []gh.Option
	}{
		{name: "by the caller's deadline", deadline: 200 * time.Millisecond},
		{name: "by the per-request timeout when the caller has no deadline", opts: []gh.Option{gh.WithRequestTimeout(200 * time.Millisecond)}},
		{name: "mid-body by the per-request timeout", opts: []gh.Option{gh.WithRequestTimeout(200 * time.Millisecond)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			block := make(chan struct{})
			midBody := strings.HasPrefix(tc.name, "mid-body")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if midBody {
					w.Header().Set("Content-Length", "100")
					w.WriteHeader(200)
					w.Write([]byte("[{"))
					w.(http.Flusher).Flush()
				}
				select {
				case <-block:
				case <-r.Context().Done():
				}
			}))
			defer srv.Close()
			defer close(block)
			c, _ := gh.New(srv.URL, token, nil, tc.opts...)
			cctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				cctx, cancel = context.WithTimeout(cctx, tc.deadline)
				defer cancel()
			}
			t0 := time.Now()
			_, err := c.ListReleases(cctx, repo, time.Time{})
			if err == nil || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want a deadline error", err)
			}
			if d := time.Since(t0); d > 2*time.Second {
				t.Errorf("took %s after a 200ms bound", d)
			}
			if !strings.Contains(err.Error(), "did not answer in time") {
				t.Errorf("error %q should say GitHub did not answer in time", err)
			}
		})
	}
}

func TestOversizedBodyIsAnErrorNotATruncation(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	r := srv.Repo("org/svc")
	for i := 0; i < 50; i++ {
		r.Releases = append(r.Releases, &ghtest.Release{ID: int64(i), Tag: strings.Repeat("v", 100), CreatedAt: time.Now()})
	}
	_, err := newClient(t, srv, gh.WithMaxBody(1024)).ListReleases(ctx(t), repo, time.Time{})
	if !errors.Is(err, gh.ErrBodyTooLarge) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
}

func TestTokenIsNotSentToAnotherHostOnRedirect(t *testing.T) {
	var gotAuth string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		w.Write([]byte("[]"))
	}))
	defer other.Close()
	// 127.0.0.1 vs localhost: a different host to the client.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+r.URL.Path, http.StatusFound)
	}))
	defer api.Close()
	c, _ := gh.New(api.URL, token, nil)
	if _, err := c.ListReleases(ctx(t), repo, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if gotAuth != "" {
		t.Errorf("the redirect target received Authorization %q", gotAuth)
	}
}

func TestIssueAndCommentRoundTrip(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	c := newClient(t, srv)
	is, err := c.CreateIssue(ctx(t), repo, "Incident: api 5xx", "tracking", nil)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := c.CreateComment(ctx(t), repo, is.Number, "Investigating.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EditComment(ctx(t), repo, cm.ID, "Identified."); err != nil {
		t.Fatal(err)
	}
	body := "new body"
	if _, err := c.EditIssue(ctx(t), repo, is.Number, gh.IssueEdit{Body: &body}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetIssue(ctx(t), repo, is.Number)
	if err != nil || got.Body != "new body" || got.URL == "" {
		t.Fatalf("GetIssue = %+v, %v", got, err)
	}
	cms, err := c.ListComments(ctx(t), repo, is.Number)
	if err != nil || len(cms) != 1 || cms[0].Body != "Identified." {
		t.Fatalf("ListComments = %+v, %v", cms, err)
	}
}

func TestStringsFromGitHubAreSanitized(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	srv.Repo("org/svc").Releases = []*ghtest.Release{{ID: 1, Tag: "v1\x1b]0;pwned\x07", Name: "evil\x1b[2J", Author: "mallory", CreatedAt: time.Now()}}
	rels, err := newClient(t, srv).ListReleases(ctx(t), repo, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(rels[0].Tag+rels[0].Name, 0x1b) {
		t.Errorf("escape sequence survived: %q %q", rels[0].Tag, rels[0].Name)
	}
}
