package gh

import (
	"context"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// Issue is a GitHub issue.
type Issue struct {
	Number int
	URL    string // the page a person opens (html_url)
	Title  string
	Body   string
	State  string // open | closed
	Labels []string
}

// Comment is a comment on an issue or pull request.
type Comment struct {
	ID        int64
	URL       string
	Body      string
	Author    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IssueEdit says what EditIssue changes; nil fields stay as they are.
type IssueEdit struct {
	Title  *string
	Body   *string
	State  *string
	Labels *[]string
}

// CreateIssue opens an issue. Labels that do not exist are created by
// GitHub when the token may push; otherwise GitHub refuses with 422/403.
func (c *Client) CreateIssue(ctx context.Context, r Repo, title, body string, labels []string) (Issue, error) {
	req := &github.IssueRequest{Title: &title, Body: &body}
	if len(labels) > 0 {
		req.Labels = &labels
	}
	is, _, err := c.api.Issues.Create(ctx, r.Owner, r.Name, req)
	if err != nil {
		return Issue{}, c.wrap(ctx, "create an issue", r, err)
	}
	return issueFrom(is), nil
}

// EditIssue changes an issue.
func (c *Client) EditIssue(ctx context.Context, r Repo, number int, e IssueEdit) (Issue, error) {
	req := &github.IssueRequest{Title: e.Title, Body: e.Body, State: e.State, Labels: e.Labels}
	is, _, err := c.api.Issues.Edit(ctx, r.Owner, r.Name, number, req)
	if err != nil {
		return Issue{}, c.wrap(ctx, "edit an issue", r, err)
	}
	return issueFrom(is), nil
}

// GetIssue reads an issue.
func (c *Client) GetIssue(ctx context.Context, r Repo, number int) (Issue, error) {
	is, _, err := c.api.Issues.Get(ctx, r.Owner, r.Name, number)
	if err != nil {
		return Issue{}, c.wrap(ctx, "read an issue", r, err)
	}
	return issueFrom(is), nil
}

// CreateComment comments on an issue (or pull request) number.
func (c *Client) CreateComment(ctx context.Context, r Repo, number int, body string) (Comment, error) {
	cm, _, err := c.api.Issues.CreateComment(ctx, r.Owner, r.Name, number, &github.IssueComment{Body: &body})
	if err != nil {
		return Comment{}, c.wrap(ctx, "comment on an issue", r, err)
	}
	return commentFrom(cm), nil
}

// EditComment replaces a comment's body.
func (c *Client) EditComment(ctx context.Context, r Repo, id int64, body string) (Comment, error) {
	cm, _, err := c.api.Issues.EditComment(ctx, r.Owner, r.Name, id, &github.IssueComment{Body: &body})
	if err != nil {
		return Comment{}, c.wrap(ctx, "edit a comment", r, err)
	}
	return commentFrom(cm), nil
}

// ListComments returns an issue's comments, oldest first (at most
// maxPages pages of 100).
func (c *Client) ListComments(ctx context.Context, r Repo, number int) ([]Comment, error) {
	var out []Comment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: perPage}}
	err := listPages(ctx, c, "list comments", r, func(page int) ([]*github.IssueComment, *github.Response, error) {
		opts.Page = page
		return c.api.Issues.ListComments(ctx, r.Owner, r.Name, number, opts)
	}, func(cm *github.IssueComment) bool {
		out = append(out, commentFrom(cm))
		return false
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func issueFrom(is *github.Issue) Issue {
	out := Issue{
		Number: is.GetNumber(),
		URL:    sanitize.Line(is.GetHTMLURL()),
		Title:  sanitize.Line(is.GetTitle()),
		Body:   sanitize.Text(is.GetBody()),
		State:  sanitize.Line(is.GetState()),
	}
	for _, l := range is.Labels {
		out.Labels = append(out.Labels, sanitize.Line(l.GetName()))
	}
	return out
}

func commentFrom(cm *github.IssueComment) Comment {
	return Comment{
		ID:        cm.GetID(),
		URL:       sanitize.Line(cm.GetHTMLURL()),
		Body:      sanitize.Text(cm.GetBody()),
		Author:    sanitize.Line(cm.GetUser().GetLogin()),
		CreatedAt: cm.GetCreatedAt().Time.UTC(),
		UpdatedAt: cm.GetUpdatedAt().Time.UTC(),
	}
}
