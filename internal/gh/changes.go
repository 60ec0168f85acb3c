package gh

import (
	"context"
	"errors"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

var errIsDirectory = errors.New("the path is a directory, not a file")

// Deployment is one deployment of a repository to an environment.
type Deployment struct {
	ID          int64
	Ref         string // branch, tag or SHA deployed
	SHA         string
	Environment string
	Description string
	Creator     string
	CreatedAt   time.Time
}

// DeploymentStatus is the state a deployment reached.
type DeploymentStatus struct {
	State       string // pending | queued | in_progress | success | failure | error | inactive
	Description string
	Creator     string
	CreatedAt   time.Time
	URL         string // log or target URL when the deployer set one
}

// Release is a published release.
type Release struct {
	ID          int64
	Tag         string
	Name        string
	Author      string
	URL         string
	Prerelease  bool
	PublishedAt time.Time // CreatedAt when never published
}

// ListDeployments returns the deployments created at or after since,
// newest first, to environment ("" for all). GitHub lists newest first, so
// paging stops at the first page that reaches back past since.
func (c *Client) ListDeployments(ctx context.Context, r Repo, environment string, since time.Time) ([]Deployment, error) {
	var out []Deployment
	opts := &github.DeploymentsListOptions{Environment: environment, ListOptions: github.ListOptions{PerPage: perPage}}
	err := listPages(ctx, c, "list deployments", r, func(page int) ([]*github.Deployment, *github.Response, error) {
		opts.Page = page
		return c.api.Repositories.ListDeployments(ctx, r.Owner, r.Name, opts)
	}, func(d *github.Deployment) bool {
		at := d.GetCreatedAt().Time.UTC()
		if at.Before(since) {
			return true
		}
		out = append(out, Deployment{
			ID:          d.GetID(),
			Ref:         sanitize.Line(d.GetRef()),
			SHA:         sanitize.Line(d.GetSHA()),
			Environment: sanitize.Line(d.GetEnvironment()),
			Description: sanitize.Line(d.GetDescription()),
			Creator:     sanitize.Line(d.GetCreator().GetLogin()),
			CreatedAt:   at,
		})
		return false
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LatestDeploymentStatus returns the newest status of deployment id, or
// found=false when none was posted yet.
func (c *Client) LatestDeploymentStatus(ctx context.Context, r Repo, id int64) (DeploymentStatus, bool, error) {
	sts, _, err := c.api.Repositories.ListDeploymentStatuses(ctx, r.Owner, r.Name, id, &github.ListOptions{PerPage: 1})
	if err != nil {
		return DeploymentStatus{}, false, c.wrap(ctx, "read deployment statuses", r, err)
	}
	if len(sts) == 0 {
		return DeploymentStatus{}, false, nil
	}
	s := sts[0]
	u := s.GetLogURL()
	if u == "" {
		u = s.GetTargetURL()
	}
	return DeploymentStatus{
		State:       sanitize.Line(s.GetState()),
		Description: sanitize.Line(s.GetDescription()),
		Creator:     sanitize.Line(s.GetCreator().GetLogin()),
		CreatedAt:   s.GetCreatedAt().Time.UTC(),
		URL:         sanitize.Line(u),
	}, true, nil
}

// ListMergedPullRequests returns the pull requests merged at or after
// since, most recently updated first. It lists closed pull requests sorted
// by update time, newest first, and stops paging once a page reaches back
// past since: a PR merged after since was updated after since too.
func (c *Client) ListMergedPullRequests(ctx context.Context, r Repo, since time.Time) ([]PullRequest, error) {
	var out []PullRequest
	opts := &github.PullRequestListOptions{State: "closed", Sort: "updated", Direction: "desc", ListOptions: github.ListOptions{PerPage: perPage}}
	err := listPages(ctx, c, "list pull requests", r, func(page int) ([]*github.PullRequest, *github.Response, error) {
		opts.Page = page
		return c.api.PullRequests.List(ctx, r.Owner, r.Name, opts)
	}, func(pr *github.PullRequest) bool {
		if pr.GetUpdatedAt().Time.Before(since) {
			return true
		}
		if pr.MergedAt != nil && !pr.GetMergedAt().Time.Before(since) {
			out = append(out, prFrom(pr))
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListReleases returns the non-draft releases published at or after since,
// newest first (GitHub's order, by creation), paging until one is older.
func (c *Client) ListReleases(ctx context.Context, r Repo, since time.Time) ([]Release, error) {
	var out []Release
	opts := &github.ListOptions{PerPage: perPage}
	err := listPages(ctx, c, "list releases", r, func(page int) ([]*github.RepositoryRelease, *github.Response, error) {
		opts.Page = page
		return c.api.Repositories.ListReleases(ctx, r.Owner, r.Name, opts)
	}, func(rel *github.RepositoryRelease) bool {
		at := rel.GetPublishedAt().Time
		if at.IsZero() {
			at = rel.GetCreatedAt().Time
		}
		if !rel.GetDraft() && !at.Before(since) {
			out = append(out, Release{
				ID:          rel.GetID(),
				Tag:         sanitize.Line(rel.GetTagName()),
				Name:        sanitize.Line(rel.GetName()),
				Author:      sanitize.Line(rel.GetAuthor().GetLogin()),
				URL:         sanitize.Line(rel.GetHTMLURL()),
				Prerelease:  rel.GetPrerelease(),
				PublishedAt: at.UTC(),
			})
		}
		return rel.GetCreatedAt().Time.Before(since)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RateLimit asks GitHub for the core rate limit (this request itself is
// free). LastRate is the no-request alternative.
func (c *Client) RateLimit(ctx context.Context) (Rate, error) {
	rl, _, err := c.api.RateLimit.Get(ctx)
	if err != nil {
		return Rate{}, c.wrap(ctx, "read the rate limit", Repo{}, err)
	}
	core := rl.GetCore()
	if core == nil {
		return Rate{}, nil
	}
	return Rate{Limit: core.Limit, Remaining: core.Remaining, Reset: core.Reset.Time.UTC()}, nil
}
