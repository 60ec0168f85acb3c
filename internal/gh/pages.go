package gh

import (
	"context"

	"github.com/google/go-github/v60/github"
)

// listPages walks a paginated listing by its Link headers: fetch reads one
// page (0 is the first) and each sees every item, returning true once the
// listing has reached back past what is wanted, which ends the walk after
// that page. At most maxPages are read.
func listPages[T any](ctx context.Context, c *Client, op string, r Repo,
	fetch func(page int) ([]T, *github.Response, error), each func(T) (past bool),
) error {
	page := 0
	for range maxPages {
		items, resp, err := fetch(page)
		if err != nil {
			return c.wrap(ctx, op, r, err)
		}
		past := false
		for _, it := range items {
			past = each(it) || past
		}
		if past || resp.NextPage == 0 {
			return nil
		}
		page = resp.NextPage
	}
	return nil
}
