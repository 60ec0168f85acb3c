package github

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/gh"
	"github.com/sitrep-dev/sitrep/internal/gh/ghtest"
	"github.com/sitrep-dev/sitrep/sources"
)

const token = "ghp_SOURCETESTTOKEN_do_not_print"

var _ sources.Poller = (*Poller)(nil)

func cfgFor(repos ...string) *config.GitHub {
	return &config.GitHub{Repos: repos, Environment: "production", Window: config.Duration(6 * time.Hour),
		Interval: config.Duration(time.Minute), Timeout: config.Duration(5 * time.Second)}
}

func newPoller(t *testing.T, srv *ghtest.Server, start time.Time, repo string) *Poller {
	t.Helper()
	c, err := gh.New(srv.BaseURL(), token, nil, gh.WithTokenSource("$GITHUB_TOKEN"))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := NewWithClient(c, cfgFor(repo), func() time.Time { return start })
	if err != nil {
		t.Fatal(err)
	}
	return ps[0]
}

func poll(t *testing.T, p *Poller) ([]incident.ChangeData, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), p.Timeout())
	defer cancel()
	v, err := p.Poll(ctx)
	if err != nil {
		return nil, err
	}
	return v.([]incident.ChangeData), nil
}

// seed fills org/svc with changes around start: some in the window, some
// before it, one during the incident, one in another environment.
func seed(srv *ghtest.Server, start time.Time) {
	r := srv.Repo("org/svc")
	r.Deployments = []*ghtest.Deployment{
		{ID: 903, Ref: "v2.4.1", Environment: "production", Creator: "deploy-bot", Description: "hotfix", CreatedAt: start.Add(5 * time.Minute)},
		{ID: 902, Ref: "v2.4.0", Environment: "staging", Creator: "deploy-bot", CreatedAt: start.Add(-20 * time.Minute)},
		{ID: 901, Ref: "v2.4.0", Environment: "production", Creator: "alice", CreatedAt: start.Add(-12 * time.Minute)},
		{ID: 800, Ref: "v2.3.0", Environment: "production", Creator: "alice", CreatedAt: start.Add(-7 * time.Hour)},
	}
	r.Statuses[901] = []*ghtest.DeploymentStatus{{State: "success", LogURL: "https://ci.example/901"}, {State: "in_progress"}}
	r.Statuses[903] = []*ghtest.DeploymentStatus{{State: "in_progress"}}
	merged := start.Add(-40 * time.Minute)
	old := start.Add(-8 * time.Hour)
	r.Pulls = []*ghtest.Pull{
		{Number: 42, Title: "Add connection pool limit", User: "bob", State: "closed", Head: "pool", Base: "main", UpdatedAt: merged, MergedAt: &merged},
		{Number: 41, Title: "Closed without merge", User: "bob", State: "closed", Head: "x", Base: "main", UpdatedAt: merged},
		{Number: 40, Title: "Old", User: "bob", State: "closed", Head: "y", Base: "main", UpdatedAt: old, MergedAt: &old},
	}
	r.Releases = []*ghtest.Release{
		{ID: 2, Tag: "v2.4.0", Name: "", Author: "alice", CreatedAt: start.Add(-time.Hour), PublishedAt: start.Add(-50 * time.Minute)},
		{ID: 3, Tag: "v2.5.0-rc1", Name: "draft", Author: "alice", Draft: true, CreatedAt: start.Add(-time.Hour)},
		{ID: 1, Tag: "v2.3.0", Name: "2.3", Author: "alice", CreatedAt: old, PublishedAt: old},
	}
}

func TestPollReturnsTheWindowsChangesNewestFirst(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	start := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Second)
	seed(srv, start)
	got, err := poll(t, newPoller(t, srv, start, "org/svc"))
	if err != nil {
		t.Fatal(err)
	}
	want := []incident.ChangeData{
		{Repo: "org/svc", Kind: "deploy", Title: "deploy v2.4.1 to production: hotfix", Author: "deploy-bot", At: start.Add(5 * time.Minute), Status: "in_progress", Ref: "903"},
		{Repo: "org/svc", Kind: "deploy", Title: "deploy v2.4.0 to production", Author: "alice", URL: "https://ci.example/901", At: start.Add(-12 * time.Minute), Status: "success", Ref: "901"},
		{Repo: "org/svc", Kind: "pr", Title: "Add connection pool limit", Author: "bob", URL: "https://github.example/org/svc/pull/42", At: start.Add(-40 * time.Minute), Status: "merged", Ref: "42"},
		{Repo: "org/svc", Kind: "release", Title: "v2.4.0", Author: "alice", URL: "https://github.example/org/svc/releases/tag/v2.4.0", At: start.Add(-50 * time.Minute), Status: "published", Ref: "v2.4.0"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d changes, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	for _, r := range srv.Requests() {
		if r.Path == "/repos/org/svc/deployments" && r.Query.Get("environment") != "production" {
			t.Errorf("deployments listed without the environment filter: %v", r.Query)
		}
		if r.Auth != "Bearer "+token {
			t.Errorf("%s sent without the token", r.Path)
		}
	}
}

func TestUnchangedPollReusesTheResultAndCostsNoRateLimit(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	start := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Second)
	seed(srv, start)
	p := newPoller(t, srv, start, "org/svc")
	first, err := poll(t, p)
	if err != nil {
		t.Fatal(err)
	}
	before := p.Rate().Remaining
	srv.ResetRequests()
	second, err := poll(t, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Requests() {
		if r.IfNoneMatch == "" || r.Status != 304 {
			t.Errorf("%s %s: If-None-Match %q status %d; every repeat request should be a 304", r.Method, r.Path, r.IfNoneMatch, r.Status)
		}
	}
	if &second[0] != &first[0] {
		t.Error("an unchanged poll should return the previous slice itself")
	}
	if after := p.Rate().Remaining; after != before {
		t.Errorf("remaining %d → %d across an unchanged poll", before, after)
	}

	// A new deployment shows up on the next poll.
	srv.Mu.Lock()
	r := srv.Repos["org/svc"]
	r.Deployments = append([]*ghtest.Deployment{{ID: 904, Ref: "v2.4.2", Environment: "production", Creator: "carol", CreatedAt: start.Add(10 * time.Minute)}}, r.Deployments...)
	srv.Mu.Unlock()
	third, err := poll(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(third) != len(first)+1 || third[0].Ref != "904" {
		t.Errorf("new deployment not seen: %+v", third)
	}
}

func TestMovingTheStartRefetchesTheWindow(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	start := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Second)
	seed(srv, start)
	cur := start
	c, _ := gh.New(srv.BaseURL(), token, nil)
	ps, _ := NewWithClient(c, cfgFor("org/svc"), func() time.Time { return cur })
	p := ps[0]
	first, err := poll(t, p)
	if err != nil {
		t.Fatal(err)
	}
	cur = start.Add(-2 * time.Hour) // back-dated: the 7 h old deploy enters the window
	second, err := poll(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(second) <= len(first) {
		t.Errorf("after back-dating the start, got %d changes, want more than %d", len(second), len(first))
	}
}

func TestLowRateLimitStretchesTheInterval(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	srv.RateRemaining = 60
	srv.RateReset = time.Now().Add(30 * time.Minute)
	p := newPoller(t, srv, time.Now().UTC(), "org/svc")
	if _, err := poll(t, p); err != nil {
		t.Fatal(err)
	}
	if p.Interval() <= time.Minute {
		t.Errorf("interval %s with %d requests left; want longer than the configured 1m", p.Interval(), p.Rate().Remaining)
	}
	if !strings.Contains(p.Note(), "rate limit low") {
		t.Errorf("note %q should say the rate limit is low", p.Note())
	}
}

func TestErrorsAreOneLineAndKeepPolling(t *testing.T) {
	for _, tc := range []struct {
		name, repo, token, want string
	}{
		{"401 bad token", "org/svc", "nope", "GitHub token rejected (401): check $GITHUB_TOKEN"},
		{"404 unknown repo", "org/x", token, "repo org/x not found or token lacks access (404)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ghtest.New(t, token, "org/svc")
			c, _ := gh.New(srv.BaseURL(), tc.token, nil, gh.WithTokenSource("$GITHUB_TOKEN"))
			ps, _ := NewWithClient(c, cfgFor(tc.repo), func() time.Time { return time.Now() })
			_, err := poll(t, ps[0])
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if strings.ContainsAny(err.Error(), "\n") || strings.Contains(err.Error(), token) {
				t.Errorf("error %q must be one line without the token", err)
			}
			if ps[0].Interval() != time.Minute {
				t.Errorf("interval %s after an auth error; the scheduler's failure backoff handles it", ps[0].Interval())
			}
		})
	}
}

func TestRateLimitRefusalWaitsForTheReset(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	srv.RateRemaining = 0
	srv.RateReset = time.Now().Add(20 * time.Minute)
	srv.Fail = map[string]int{"/repos": 403}
	p := newPoller(t, srv, time.Now().UTC(), "org/svc")
	_, err := poll(t, p)
	var ge *gh.Error
	if !errors.As(err, &ge) || !ge.RateLimited {
		t.Fatalf("err = %v, want a rate-limit error", err)
	}
	if iv := p.Interval(); iv < 19*time.Minute || iv > 21*time.Minute {
		t.Errorf("interval %s, want about the 20m until the reset", iv)
	}
}

func TestBackoff(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	reset := now.Add(time.Hour)
	base := time.Minute
	for _, tc := range []struct {
		name     string
		rate     gh.Rate
		share    int
		err      error
		min, max time.Duration
		noted    bool
	}{
		{"unknown rate keeps the interval", gh.Rate{}, 1, nil, base, base, false},
		{"plenty left keeps the interval", gh.Rate{Limit: 5000, Remaining: 4000, Reset: reset}, 1, nil, base, base, false},
		{"low stretches so the budget lasts to the reset", gh.Rate{Limit: 5000, Remaining: 85, Reset: reset}, 1, nil, 59 * time.Second, 61 * time.Second, true},
		{"low and shared by 4 repos stretches 4×", gh.Rate{Limit: 5000, Remaining: 85, Reset: reset}, 4, nil, 4 * time.Minute, 4*time.Minute + time.Second, true},
		{"within the reserve waits for the reset", gh.Rate{Limit: 5000, Remaining: 10, Reset: reset}, 1, nil, time.Hour, time.Hour + time.Second, true},
		{"reset already passed keeps the interval", gh.Rate{Limit: 5000, Remaining: 10, Reset: now.Add(-time.Second)}, 1, nil, base, base, false},
		{"anonymous 60/h low is stretched", gh.Rate{Limit: 60, Remaining: 40, Reset: reset}, 1, nil, 4 * time.Minute, 5 * time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, note := backoff(base, tc.rate, nil, tc.share, tc.err, now)
			if next < tc.min || next > tc.max {
				t.Errorf("next = %s, want in [%s, %s]", next, tc.min, tc.max)
			}
			if (note != "") != tc.noted {
				t.Errorf("note = %q, want noted=%v", note, tc.noted)
			}
		})
	}
}

func TestFetchListsEveryRepo(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc", "org/web")
	start := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Second)
	seed(srv, start)
	at := start.Add(-5 * time.Minute)
	srv.Repo("org/web").Pulls = []*ghtest.Pull{{Number: 7, Title: "web change", User: "dan", State: "closed", Head: "w", Base: "main", UpdatedAt: at, MergedAt: &at}}
	c, _ := gh.New(srv.BaseURL(), token, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := Fetch(ctx, c, cfgFor("org/svc", "org/web"), start)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[1].Repo != "org/web" {
		t.Errorf("got %+v, want 5 changes with org/web's PR second", got)
	}
}

func TestAnUnsetTokenIsAPollErrorNotAStartupFailure(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	cfg := cfgFor("org/svc")
	cfg.BaseURL, cfg.TokenEnv = srv.BaseURL(), "SITREP_GH_SOURCE_TEST_TOKEN"
	ps, err := New(cfg, func() time.Time { return time.Now() })
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, err := poll(t, ps[0]); err == nil || !strings.Contains(err.Error(), "GitHub token: environment variable SITREP_GH_SOURCE_TEST_TOKEN is empty or not set") {
		t.Errorf("poll without the token: %v", err)
	}
	t.Setenv("SITREP_GH_SOURCE_TEST_TOKEN", token)
	if _, err := poll(t, ps[0]); err != nil {
		t.Errorf("poll once the token is set: %v", err)
	}
}
