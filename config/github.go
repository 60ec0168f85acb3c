package config

import (
	"fmt"
	"regexp"
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

var repoRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

func (c *Config) validateGitHub(v *validator) {
	g := c.GitHub
	if g == nil {
		return
	}
	if len(g.Repos) == 0 {
		v.errorf("github.repos", "list at least one repository as owner/name")
	}
	for i, r := range g.Repos {
		if !repoRE.MatchString(r) {
			v.errorf(fmt.Sprintf("github.repos[%d]", i), "%q is not owner/name", r)
		}
	}
	if g.PostmortemRepo != "" && !repoRE.MatchString(g.PostmortemRepo) {
		v.errorf("github.postmortem_repo", "%q is not owner/name", g.PostmortemRepo)
	}
	v.httpURL("github.base_url", g.BaseURL)
	v.secret("github", "token_env", g.TokenEnv, "token_file", g.TokenFile)
	v.positive("github.window", g.Window)
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
	g.Timeout = orDuration(g.Timeout, Duration(10*time.Second))
}
