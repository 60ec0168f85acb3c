package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// GitHub is where changes are read from and postmortems published to.
type GitHub struct {
	Repos          []string `yaml:"repos"`
	PostmortemRepo string   `yaml:"postmortem_repo"` // default: the first of repos
	TokenEnv       string   `yaml:"token_env"`
	TokenFile      string   `yaml:"token_file"`
	Environment    string   `yaml:"environment"` // deployments environment filter
	BaseURL        string   `yaml:"base_url"`    // GitHub Enterprise: https://ghe.example/api/v3/
	Window         Duration `yaml:"window"`      // how far before the start to look, default 6h
	Labels         []string `yaml:"labels"`      // for the postmortem issue
	Interval       Duration `yaml:"interval"`
	Timeout        Duration `yaml:"timeout"`
}

// Bounds on the GitHub source's timing.
const (
	maxWindow         = Duration(7 * 24 * time.Hour)
	minGitHubInterval = Duration(10 * time.Second)
)

var repoRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

func (c *Config) validateGitHub(v *validator) {
	g := c.GitHub
	if g == nil {
		return
	}
	if len(g.Repos) == 0 {
		v.errorf("github.repos", "list at least one repository as owner/name")
	}
	seen := map[string]int{}
	for i, r := range g.Repos {
		path := fmt.Sprintf("github.repos[%d]", i)
		if !repoRE.MatchString(r) {
			v.errorf(path, "%q is not owner/name", r)
		}
		// GitHub names are case-insensitive: Org/Svc and org/svc are one repo.
		if j, dup := seen[strings.ToLower(r)]; dup {
			v.errorf(path, "%q is listed twice (also github.repos[%d]); each repo is polled once", r, j)
		}
		seen[strings.ToLower(r)] = i
	}
	for i, l := range g.Labels {
		if strings.TrimSpace(l) == "" || len([]rune(l)) > 50 {
			v.errorf(fmt.Sprintf("github.labels[%d]", i), "a label must be 1 to 50 characters (GitHub's limit), got %q", l)
		}
	}
	if g.PostmortemRepo != "" && !repoRE.MatchString(g.PostmortemRepo) {
		v.errorf("github.postmortem_repo", "%q is not owner/name", g.PostmortemRepo)
	}
	v.httpURL("github.base_url", g.BaseURL)
	v.secret("github", "token_env", g.TokenEnv, "token_file", g.TokenFile)
	v.positive("github.window", g.Window)
	if g.Window > maxWindow {
		v.errorf("github.window", "%s is longer than %s: the changes that matter are in the hours before the start, and a longer window costs rate limit on every poll", g.Window, maxWindow)
	}
	if v.has("github.interval") && g.Interval > 0 && g.Interval < minGitHubInterval {
		v.errorf("github.interval", "%s is too often for GitHub's rate limit (5000 requests/hour per token, shared by every repo): use %s or more", g.Interval, minGitHubInterval)
	}
	v.timing("github", orDuration(g.Interval, Duration(60*time.Second)), g.Timeout)
}

func (c *Config) defaultGitHub() {
	g := c.GitHub
	if g == nil {
		return
	}
	if g.PostmortemRepo == "" && len(g.Repos) > 0 {
		g.PostmortemRepo = g.Repos[0]
	}
	if g.BaseURL != "" && g.BaseURL[len(g.BaseURL)-1] != '/' {
		g.BaseURL += "/" // go-github requires the trailing slash
	}
	g.Window = orDuration(g.Window, Duration(6*time.Hour))
	g.Interval = orDuration(g.Interval, Duration(60*time.Second))
	// A poll reads several pages; 10 s covers a slow GitHub, but it must
	// stay under a short interval or polls would overlap.
	g.Timeout = orDuration(g.Timeout, min(Duration(10*time.Second), g.Interval/2))
}
