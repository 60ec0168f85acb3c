package gh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// Error is a failed GitHub call, as one line that says what to do.
type Error struct {
	Op     string // what was attempted: "list deployments"
	Repo   string // owner/name, "" when not about one repository
	Status int    // HTTP status; 0 when no response arrived
	// RateLimited is set when GitHub refused for lack of rate limit;
	// Reset is then when it comes back.
	RateLimited bool
	Reset       time.Time
	msg         string
	err         error
}

func (e *Error) Error() string { return e.msg }

// Unwrap exposes the cause (context errors, ErrBodyTooLarge).
func (e *Error) Unwrap() error { return e.err }

// StatusOf returns the HTTP status of a failed call, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// IsNotFound reports whether err is GitHub's 404.
func IsNotFound(err error) bool { return StatusOf(err) == http.StatusNotFound }

// wrap turns whatever go-github returned into an *Error. It never includes
// request headers, so the token cannot leak through it.
func (c *Client) wrap(ctx context.Context, op string, repo Repo, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Op: op, Repo: repo.String(), err: err}
	if repo == (Repo{}) {
		e.Repo = ""
	}
	on := ""
	if e.Repo != "" {
		on = " on " + e.Repo
	}
	var rl *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	var er *github.ErrorResponse
	var ue *url.Error
	var te *tokenError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		e.msg = fmt.Sprintf("cannot %s%s: %v", op, on, te)
	case errors.As(err, &rl):
		e.Status, e.RateLimited, e.Reset = http.StatusForbidden, true, rl.Rate.Reset.Time.UTC()
		e.msg = fmt.Sprintf("GitHub rate limit exhausted (%d/%d left) until %s; sitrep polls less often until then", rl.Rate.Remaining, rl.Rate.Limit, e.Reset.Format("15:04 UTC"))
	case errors.As(err, &abuse):
		e.Status, e.RateLimited = http.StatusForbidden, true
		wait := time.Minute
		if abuse.RetryAfter != nil {
			wait = *abuse.RetryAfter
		}
		e.Reset = time.Now().Add(wait).UTC()
		e.msg = fmt.Sprintf("GitHub secondary rate limit hit while trying to %s%s; retry after %s", op, on, wait.Round(time.Second))
	case errors.As(err, &er) && er.Response != nil:
		e.Status = er.Response.StatusCode
		e.msg = c.statusMessage(op, e.Repo, e.Status, apiMessage(er))
	case errors.Is(err, context.Canceled) || ctx.Err() == context.Canceled:
		e.msg = fmt.Sprintf("cancelled while trying to %s%s", op, on)
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded || isTimeout(err):
		e.msg = fmt.Sprintf("GitHub did not answer in time while trying to %s%s (raise github.timeout if it is just slow)", op, on)
		e.err = context.DeadlineExceeded
	case errors.Is(err, ErrBodyTooLarge):
		e.msg = fmt.Sprintf("cannot %s%s: %v", op, on, err)
	case errors.As(err, &syn) || errors.As(err, &typ):
		e.msg = fmt.Sprintf("GitHub at %s answered something that is not the expected JSON while trying to %s%s: is github.base_url the API root (https://HOST/api/v3/ for GitHub Enterprise)?", c.tr.host, op, on)
	case errors.As(err, &ue):
		e.msg = fmt.Sprintf("cannot reach GitHub at %s to %s%s: %s (check github.base_url and the network)", c.tr.host, op, on, sanitize.Line(rootCause(ue.Err).Error()))
	default:
		e.msg = fmt.Sprintf("cannot %s%s: %s", op, on, sanitize.Line(err.Error()))
	}
	return e
}

func (c *Client) statusMessage(op, repo string, status int, detail string) string {
	on := ""
	if repo != "" {
		on = " on " + repo
	}
	switch {
	case status == http.StatusUnauthorized:
		return fmt.Sprintf("GitHub token rejected (401): check %s", c.tr.tokenSource)
	case status == http.StatusForbidden:
		return fmt.Sprintf("GitHub refused to %s%s (403): the token lacks permission%s (check %s and its scopes)", op, on, detail, c.tr.tokenSource)
	case status == http.StatusNotFound && repo != "":
		return fmt.Sprintf("repo %s not found or token lacks access (404) while trying to %s", repo, op)
	case status == http.StatusNotFound:
		return fmt.Sprintf("GitHub has no such resource (404) while trying to %s%s", op, detail)
	case status == http.StatusNotModified:
		// Only reachable if a 304 arrives for a request we did not make
		// conditional; go-github reports it as an error.
		return fmt.Sprintf("GitHub answered 304 Not Modified without a cached copy while trying to %s%s", op, on)
	case status == http.StatusConflict:
		return fmt.Sprintf("GitHub refused to %s%s (409): it changed since sitrep read it (someone pushed meanwhile); run the export again%s", op, on, detail)
	case status == http.StatusUnprocessableEntity:
		return fmt.Sprintf("GitHub rejected the request to %s%s (422)%s", op, on, detail)
	case status >= 500:
		return fmt.Sprintf("GitHub server error %d while trying to %s%s%s (try again shortly)", status, op, on, detail)
	}
	return fmt.Sprintf("GitHub answered %d while trying to %s%s%s", status, op, on, detail)
}

// apiMessage is ": <message> (<field errors>)", sanitized and short.
func apiMessage(er *github.ErrorResponse) string {
	parts := []string{}
	if er.Message != "" {
		parts = append(parts, er.Message)
	}
	for _, fe := range er.Errors {
		s := fe.Message
		if s == "" {
			s = strings.TrimSpace(fe.Resource + " " + fe.Field + " " + fe.Code)
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	s := sanitize.Line(strings.Join(parts, "; "))
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return ": " + s
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}
