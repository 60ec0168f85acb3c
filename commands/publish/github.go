package publish

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/internal/gh"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
	"github.com/sitrep-dev/sitrep/sources"
)

// GitHub publishes to a tracking issue: the first update opens the issue
// (its body is that update), every later one is a comment on it. The
// issue number is the journaled ref, so a restarted sitrep keeps
// commenting on the same issue.
type GitHub struct {
	base
	repo    gh.Repo
	baseURL string
	token   secret
	client  *http.Client
}

// NewGitHub builds a github target; repo, API URL and token default to the
// `github:` section's.
func NewGitHub(t config.StatusTarget, g *config.GitHub) (*GitHub, error) {
	repo, baseURL, tok := t.Repo, t.BaseURL, secret{t.TokenEnv, t.TokenFile}
	if g != nil {
		if repo == "" {
			repo = g.PostmortemRepo
		}
		if repo == "" && len(g.Repos) > 0 {
			repo = g.Repos[0]
		}
		if baseURL == "" {
			baseURL = g.BaseURL
		}
		if !tok.set() {
			tok = secret{g.TokenEnv, g.TokenFile}
		}
	}
	r, err := gh.ParseRepo(repo)
	if err != nil {
		return nil, err
	}
	if !tok.set() {
		return nil, fmt.Errorf("no token: set token_env on the target or github.token_env")
	}
	b := newBase(t)
	return &GitHub{base: b, repo: r, baseURL: baseURL, token: tok, client: sources.HTTPClient(b.timeout)}, nil
}

// Describe says whether the update opens the tracking issue or comments on it.
func (g *GitHub) Describe(u Update) string {
	if u.Ref == "" {
		return fmt.Sprintf("open tracking issue %q in %s", sanitize.Line(u.Name()), g.repo)
	}
	return fmt.Sprintf("comment on %s#%s", g.repo, sanitize.Line(u.Ref))
}

// Check verifies the token is readable and a journaled ref is an issue number.
func (g *GitHub) Check(u Update) error {
	if u.Ref != "" {
		if n, err := strconv.Atoi(u.Ref); err != nil || n <= 0 {
			return fmt.Errorf("the journaled tracking issue %q is not an issue number", u.Ref)
		}
	}
	_, err := g.token.read()
	return err
}

// Publish opens the tracking issue or comments on it.
func (g *GitHub) Publish(ctx context.Context, u Update) (string, error) {
	if err := g.Check(u); err != nil {
		return "", err
	}
	token, _ := g.token.read()
	c, err := gh.New(g.baseURL, token, g.client, gh.WithTokenSource(g.token.String()), gh.WithMaxBody(maxResponse))
	if err != nil {
		return "", scrub(err, token)
	}
	if u.Ref == "" {
		body := strings.TrimRight(u.Markdown, "\n") + "\n\n---\n_Status updates for incident `" + u.IncidentID + "`, posted by sitrep._\n"
		is, err := c.CreateIssue(ctx, g.repo, u.Name(), body, nil)
		if err != nil {
			return "", scrub(err, token)
		}
		return strconv.Itoa(is.Number), nil
	}
	n, _ := strconv.Atoi(u.Ref)
	if _, err := c.CreateComment(ctx, g.repo, n, u.Markdown); err != nil {
		return "", scrub(err, token)
	}
	return u.Ref, nil
}
