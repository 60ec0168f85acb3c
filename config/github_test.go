package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGitHubValidation(t *testing.T) {
	private := filepath.Join(t.TempDir(), "gh-token")
	if err := os.WriteFile(private, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(t.TempDir(), "gh-token-open")
	if err := os.WriteFile(open, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, yaml, want string // want "" means valid
	}{
		{"minimal is valid", "github: {repos: [org/svc], token_env: GITHUB_TOKEN}", ""},
		{"GHE base url and labels are valid", "github: {repos: [org/svc], base_url: 'https://ghe.example/api/v3', labels: [postmortem]}", ""},
		{"repos are required", "github: {token_env: GITHUB_TOKEN}", "github.repos: list at least one repository"},
		{"a repo must be owner/name", "github: {repos: [svc]}", `github.repos[0]: "svc" is not owner/name`},
		{"a repo listed twice (any case) is an error", "github: {repos: [org/svc, Org/Svc]}", `github.repos[1]: "Org/Svc" is listed twice (also github.repos[0])`},
		{"postmortem repo must be owner/name", "github: {repos: [org/svc], postmortem_repo: nope}", `github.postmortem_repo: "nope" is not owner/name`},
		{"base url must be http(s)", "github: {repos: [org/svc], base_url: 'ftp://x/'}", "github.base_url: URL"},
		{"env and file together are refused", "github: {repos: [org/svc], token_env: A, token_file: " + private + "}", "set token_env or token_file, not both"},
		{"a token file readable by others is refused", "github: {repos: [org/svc], token_file: " + open + "}", "chmod 600"},
		{"a private token file is fine", "github: {repos: [org/svc], token_file: " + private + "}", ""},
		{"an empty label is refused", "github: {repos: [org/svc], labels: ['']}", "github.labels[0]: a label must be 1 to 50 characters"},
		{"a window over a week is refused", "github: {repos: [org/svc], window: 200h}", "github.window: 200h0m0s is longer than 168h0m0s"},
		{"a negative window is refused", "github: {repos: [org/svc], window: -1h}", "github.window: must be greater than zero"},
		{"polling faster than 10s is refused", "github: {repos: [org/svc], interval: 2s, timeout: 1s}", "github.interval: 2s is too often"},
		{"timeout must be below the interval", "github: {repos: [org/svc], interval: 30s, timeout: 30s}", "github.timeout: timeout 30s must be shorter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("sitrep.yaml", []byte(tc.yaml))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("want valid, got %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), "sitrep.yaml:1:"):
				t.Errorf("error %q has no file:line:col", err)
			}
		})
	}
}

func TestGitHubDefaultTimeoutStaysUnderAShortInterval(t *testing.T) {
	c, err := Parse("sitrep.yaml", []byte("github: {repos: [org/svc], interval: 12s}"))
	if err != nil {
		t.Fatal(err)
	}
	if c.GitHub.Timeout.D() != 6*time.Second {
		t.Errorf("timeout %s, want half of the 12s interval", c.GitHub.Timeout)
	}
}

func TestGitHubDefaults(t *testing.T) {
	c, err := Parse("sitrep.yaml", []byte("github: {repos: [org/svc, org/web], base_url: 'https://ghe.example/api/v3'}"))
	if err != nil {
		t.Fatal(err)
	}
	g := c.GitHub
	if g.PostmortemRepo != "org/svc" || g.BaseURL != "https://ghe.example/api/v3/" || g.Window.D() != 6*time.Hour ||
		g.Interval.D() != time.Minute || g.Timeout.D() != 10*time.Second {
		t.Errorf("defaults = %+v", g)
	}
}
