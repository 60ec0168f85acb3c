package gh

import (
	"context"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// PullRequest is a pull request, open or merged.
type PullRequest struct {
	Number    int
	URL       string // html_url
	Title     string
	Author    string
	State     string // open | closed
	Head      string // branch name
	Base      string
	MergedAt  time.Time // zero when not merged
	UpdatedAt time.Time
	MergeSHA  string
}

// DefaultBranch returns the repository's default branch ("main").
func (c *Client) DefaultBranch(ctx context.Context, r Repo) (string, error) {
	repo, _, err := c.api.Repositories.Get(ctx, r.Owner, r.Name)
	if err != nil {
		return "", c.wrap(ctx, "read the repository", r, err)
	}
	return repo.GetDefaultBranch(), nil
}

// BranchSHA returns the commit a branch points at; a missing branch is an
// error for which IsNotFound holds.
func (c *Client) BranchSHA(ctx context.Context, r Repo, branch string) (string, error) {
	ref, _, err := c.api.Git.GetRef(ctx, r.Owner, r.Name, "heads/"+branch)
	if err != nil {
		return "", c.wrap(ctx, "read branch "+sanitize.Line(branch), r, err)
	}
	return ref.GetObject().GetSHA(), nil
}

// CreateBranch creates branch at commit sha.
func (c *Client) CreateBranch(ctx context.Context, r Repo, branch, sha string) error {
	ref := "refs/heads/" + branch
	_, _, err := c.api.Git.CreateRef(ctx, r.Owner, r.Name, &github.Reference{Ref: &ref, Object: &github.GitObject{SHA: &sha}})
	return c.wrap(ctx, "create branch "+sanitize.Line(branch), r, err)
}

// FileSHA returns the blob SHA of path on branch, or found=false when the
// file does not exist there yet.
func (c *Client) FileSHA(ctx context.Context, r Repo, path, branch string) (sha string, found bool, err error) {
	f, _, _, err := c.api.Repositories.GetContents(ctx, r.Owner, r.Name, path, &github.RepositoryContentGetOptions{Ref: branch})
	if err != nil {
		if e := c.wrap(ctx, "read "+sanitize.Line(path), r, err); IsNotFound(e) {
			return "", false, nil
		} else {
			return "", false, e
		}
	}
	if f == nil {
		return "", false, c.wrap(ctx, "read "+sanitize.Line(path), r, errIsDirectory)
	}
	return f.GetSHA(), true, nil
}

// PutFile writes content to path on branch as one commit: a new file when
// sha is "", else an update of the blob sha (GitHub refuses a stale sha
// with 409, so a concurrent edit is never silently overwritten). It returns
// the new blob SHA.
func (c *Client) PutFile(ctx context.Context, r Repo, path, branch, message string, content []byte, sha string) (string, error) {
	opts := &github.RepositoryContentFileOptions{Message: &message, Content: content, Branch: &branch}
	var res *github.RepositoryContentResponse
	var err error
	if sha == "" {
		res, _, err = c.api.Repositories.CreateFile(ctx, r.Owner, r.Name, path, opts)
	} else {
		opts.SHA = &sha
		res, _, err = c.api.Repositories.UpdateFile(ctx, r.Owner, r.Name, path, opts)
	}
	if err != nil {
		return "", c.wrap(ctx, "write "+sanitize.Line(path), r, err)
	}
	return res.GetContent().GetSHA(), nil
}

// CreatePullRequest opens a pull request from head into base.
func (c *Client) CreatePullRequest(ctx context.Context, r Repo, head, base, title, body string) (PullRequest, error) {
	pr, _, err := c.api.PullRequests.Create(ctx, r.Owner, r.Name, &github.NewPullRequest{Title: &title, Head: &head, Base: &base, Body: &body})
	if err != nil {
		return PullRequest{}, c.wrap(ctx, "open a pull request", r, err)
	}
	return prFrom(pr), nil
}

// FindOpenPullRequest returns the open pull request from branch head (in
// the same repository) into base, if there is one.
func (c *Client) FindOpenPullRequest(ctx context.Context, r Repo, head, base string) (PullRequest, bool, error) {
	prs, _, err := c.api.PullRequests.List(ctx, r.Owner, r.Name, &github.PullRequestListOptions{
		State: "open", Head: r.Owner + ":" + head, Base: base,
	})
	if err != nil {
		return PullRequest{}, false, c.wrap(ctx, "list pull requests", r, err)
	}
	for _, pr := range prs {
		if pr.GetHead().GetRef() == head {
			return prFrom(pr), true, nil
		}
	}
	return PullRequest{}, false, nil
}

func prFrom(pr *github.PullRequest) PullRequest {
	return PullRequest{
		Number:    pr.GetNumber(),
		URL:       sanitize.Line(pr.GetHTMLURL()),
		Title:     sanitize.Line(pr.GetTitle()),
		Author:    sanitize.Line(pr.GetUser().GetLogin()),
		State:     sanitize.Line(pr.GetState()),
		Head:      sanitize.Line(pr.GetHead().GetRef()),
		Base:      sanitize.Line(pr.GetBase().GetRef()),
		MergedAt:  pr.GetMergedAt().Time.UTC(),
		UpdatedAt: pr.GetUpdatedAt().Time.UTC(),
		MergeSHA:  sanitize.Line(pr.GetMergeCommitSHA()),
	}
}
