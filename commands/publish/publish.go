// Package publish sends a status update to the places customers read it:
// Atlassian Statuspage, a GitHub tracking issue, a webhook (Slack or any
// JSON receiver) and a Markdown file. Each Target does one bounded attempt
// per Publish call; the caller (commands) runs them concurrently, each with
// its own timeout, and journals every result.
package publish

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
)

// maxResponse caps every response body read from a publish target: the
// answers are small JSON objects.
const maxResponse = 1 << 20

// Update is one status update as a target receives it.
type Update struct {
	Data incident.StatusData // the draft as journaled (UpdateID, state, body...)
	// Markdown and Plain are the update rendered exactly as previewed
	// (commands.Render); targets never render on their own.
	Markdown string
	Plain    string
	// IncidentID and IncidentTitle name the sitrep incident; a target that
	// creates something on first publish (a Statuspage incident, a GitHub
	// issue) titles it from Data.Title, else from IncidentTitle.
	IncidentID    string
	IncidentTitle string
	// Ref is this target's reference from its first successful publish in
	// this incident (Statuspage incident id, GitHub issue number), read back
	// from the journal; "" when nothing was published to it yet.
	Ref string
	At  time.Time // when publishing started
}

// Name is the title a target gives what it creates on first publish.
func (u Update) Name() string {
	if t := strings.TrimSpace(u.Data.Title); t != "" {
		return t
	}
	return u.IncidentTitle
}

// Target is one configured place updates go to.
type Target interface {
	Name() string     // the configured name; results are journaled under it
	Provider() string // statuspage | github | webhook | file
	Timeout() time.Duration
	// Check validates the update for this target without sending anything
	// (component mapping, a readable token), so a mistake is caught before
	// the commander confirms and before any target publishes.
	Check(u Update) error
	// Describe says what Publish will do, for the preview: "create
	// incident \"API errors\" on page abc (notifies subscribers)".
	Describe(u Update) string
	// Publish sends the update once and returns the reference to journal
	// (Statuspage incident id, issue number, path). It returns promptly when
	// ctx is done. Errors never contain a secret.
	Publish(ctx context.Context, u Update) (ref string, err error)
}

// Build makes the targets of the config's `status:` list, in order.
func Build(cfg *config.Config) ([]Target, error) {
	var ts []Target
	for i, t := range cfg.Status {
		var (
			tg  Target
			err error
		)
		switch t.Provider {
		case "statuspage":
			tg, err = NewStatuspage(t)
		case "github":
			tg, err = NewGitHub(t, cfg.GitHub)
		case "webhook":
			tg, err = NewWebhook(t)
		case "file":
			tg = NewFile(t)
		default:
			err = fmt.Errorf("unknown provider %q", t.Provider)
		}
		if err != nil {
			return nil, fmt.Errorf("status[%d] (%s): %w", i, t.Name, err)
		}
		ts = append(ts, tg)
	}
	return ts, nil
}

// base holds what every target has.
type base struct {
	name, provider string
	timeout        time.Duration
}

func (b base) Name() string           { return b.name }
func (b base) Provider() string       { return b.provider }
func (b base) Timeout() time.Duration { return b.timeout }

func newBase(t config.StatusTarget) base {
	to := t.Timeout.D()
	if to <= 0 {
		to = 10 * time.Second
	}
	name := t.Name
	if name == "" {
		name = t.Provider
	}
	return base{name: name, provider: t.Provider, timeout: to}
}

// secret names where a token comes from, for error messages: the variable
// or file, never the value.
type secret struct{ env, file string }

func (s secret) String() string {
	if s.env != "" {
		return "$" + s.env
	}
	return "token_file " + s.file
}

func (s secret) set() bool { return s.env != "" || s.file != "" }

func (s secret) read() (string, error) {
	v, err := config.Secret(s.env, s.file)
	if err != nil {
		return "", fmt.Errorf("cannot read the token (%s): %w", s, err)
	}
	if strings.ContainsAny(v, "\r\n") {
		return "", fmt.Errorf("the token in %s contains a line break", s)
	}
	return v, nil
}

// scrub removes a secret from a message: belt and braces for errors that
// quote a request or a server echoing what it was sent.
func scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if len(s) >= 4 && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &scrubbed{msg: msg, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string { return s.msg }

// Unwrap keeps errors.Is(err, context.DeadlineExceeded) working; the
// wrapped message is not shown.
func (s *scrubbed) Unwrap() error { return s.err }

// send performs one HTTP request and reads the capped answer. Transport
// errors are described without the URL, which may itself be a secret (a
// Slack webhook URL is one).
func send(ctx context.Context, client *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return nil, nil, describe(ctx, err)
	}
	body, err := sources.ReadBody(resp, maxResponse)
	if err != nil {
		return resp, nil, describe(ctx, err)
	}
	return resp, body, nil
}

// describe turns a transport failure into one line without the request URL.
func describe(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, sources.ErrBodyTooLarge):
		return err
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("cancelled: %w", context.Canceled)
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("timed out without a complete answer (is the target up? raise its timeout if it is slow): %w", context.DeadlineExceeded)
	case strings.Contains(err.Error(), "connection refused"):
		return errors.New("connection refused (is the service up, and the URL's host and port right?)")
	}
	return sources.Describe(ctx, err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
