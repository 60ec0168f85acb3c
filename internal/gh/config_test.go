package gh_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/internal/gh"
	"github.com/sitrep-dev/sitrep/internal/gh/ghtest"
)

func TestTokenSourceNamesWhereTheTokenComesFrom(t *testing.T) {
	for _, tc := range []struct {
		g    config.GitHub
		want string
	}{
		{config.GitHub{TokenEnv: "GITHUB_TOKEN"}, "$GITHUB_TOKEN"},
		{config.GitHub{TokenFile: "/etc/sitrep/gh"}, "github.token_file /etc/sitrep/gh"},
		{config.GitHub{}, "github.token_env (no token is configured, so requests are anonymous)"},
	} {
		if got := gh.TokenSource(&tc.g); got != tc.want {
			t.Errorf("TokenSource(%+v) = %q, want %q", tc.g, got, tc.want)
		}
	}
}

func TestFromConfigReadsTheTokenBeforeEveryRequest(t *testing.T) {
	if _, err := gh.FromConfig(nil, nil); err == nil || !strings.Contains(err.Error(), "no github: section") {
		t.Errorf("nil config: %v", err)
	}
	srv := ghtest.New(t, token, "org/svc")
	g := &config.GitHub{TokenEnv: "SITREP_GH_TEST_TOKEN", BaseURL: srv.BaseURL(), Timeout: config.Duration(2 * time.Second)}
	c, err := gh.FromConfig(g, nil)
	if err != nil {
		t.Fatalf("an unset token must not fail construction (the pane shows it per poll): %v", err)
	}

	_, err = c.ListReleases(ctx(t), repo, time.Time{})
	want := "cannot list releases on org/svc: GitHub token: environment variable SITREP_GH_TEST_TOKEN is empty or not set"
	if err == nil || err.Error() != want {
		t.Errorf("unset token: err = %v, want %q", err, want)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent without a token", n)
	}

	t.Setenv("SITREP_GH_TEST_TOKEN", "old-token")
	if _, err := c.ListReleases(ctx(t), repo, time.Time{}); gh.StatusOf(err) != 401 {
		t.Errorf("old token: err = %v, want 401", err)
	}
	t.Setenv("SITREP_GH_TEST_TOKEN", token) // rotated: picked up without a restart
	if _, err := c.ListReleases(ctx(t), repo, time.Time{}); err != nil {
		t.Errorf("rotated token: %v", err)
	}
	t.Setenv("SITREP_GH_TEST_TOKEN", "a\nb")
	if _, err := c.ListReleases(ctx(t), repo, time.Time{}); err == nil || !strings.Contains(err.Error(), "line break") {
		t.Errorf("token with a newline: %v", err)
	}
}

func TestUnreachableGitHubIsOneLine(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close() // nothing listens there now
	c, _ := gh.New(url, token, nil, gh.WithRequestTimeout(2*time.Second))
	_, err := c.ListReleases(ctx(t), repo, time.Time{})
	if err == nil || !strings.HasPrefix(err.Error(), "cannot reach GitHub at 127.0.0.1:") ||
		!strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), token) {
		t.Errorf("err = %v", err)
	}
	if gh.StatusOf(err) != 0 || gh.IsNotFound(err) {
		t.Errorf("a transport failure has no status, got %d", gh.StatusOf(err))
	}
}

func TestRateString(t *testing.T) {
	if s := (gh.Rate{}).String(); s != "rate limit unknown" {
		t.Errorf("zero rate: %q", s)
	}
	r := gh.Rate{Limit: 5000, Remaining: 42, Reset: time.Date(2026, 11, 27, 10, 42, 0, 0, time.UTC)}
	if s := r.String(); s != "42/5000 requests left, resets 10:42 UTC" {
		t.Errorf("rate: %q", s)
	}
}
