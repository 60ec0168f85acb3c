package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// DefaultMaxBody is the body cap used when a caller passes max <= 0.
const DefaultMaxBody = 10 << 20

// HTTPClient returns the client every HTTP poller uses. Each stage that can
// hang on its own — dial, TLS handshake, waiting for response headers — has
// its own bound of timeout, so a stuck peer is cut off even if a caller
// forgets a context deadline; callers still pass a context with a deadline,
// which also covers reading the body. It follows at most 5 redirects.
func HTTPClient(timeout time.Duration) *http.Client { return NewHTTPClient(timeout, nil) }

// NewHTTPClient is HTTPClient with a resolver of the caller's choosing
// (nil: the system's); tests use one that never leaves loopback.
func NewHTTPClient(timeout time.Duration, resolver *net.Resolver) *http.Client {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Resolver: resolver}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          4,
		MaxIdleConnsPerHost:   2,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		// Belt and braces: the whole exchange, body included, never outlives
		// this even when the caller's context has no deadline.
		Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("stopped after 5 redirects")
			}
			return nil
		},
	}
}

// ErrBodyTooLarge is returned (wrapped) when a response exceeds its cap.
var ErrBodyTooLarge = errors.New("response body too large")

// ReadBody reads resp.Body up to max bytes (max <= 0 means DefaultMaxBody)
// and closes it. A body longer than max is an error, not a truncation: a
// cut-off JSON or exposition text would parse into something wrong. The
// read is bounded in time by the request's context.
func ReadBody(resp *http.Response, max int64) ([]byte, error) {
	defer resp.Body.Close()
	return io.ReadAll(LimitBody(resp, max))
}

// LimitBody returns a reader over resp.Body that fails with ErrBodyTooLarge
// once more than max bytes arrive (max <= 0 means DefaultMaxBody), for
// parsers that stream. A Content-Length already over the cap fails on the
// first read, before anything is downloaded. The caller closes resp.Body.
func LimitBody(resp *http.Response, max int64) io.Reader {
	if max <= 0 {
		max = DefaultMaxBody
	}
	if resp.ContentLength > max {
		return errReader{tooLarge(max)}
	}
	return &capReader{r: resp.Body, left: max, max: max}
}

func tooLarge(max int64) error {
	return fmt.Errorf("%w: more than %d bytes (raise sources.max_body if this is expected)", ErrBodyTooLarge, max)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// capReader reads at most max bytes and fails if the source has more.
type capReader struct {
	r         io.Reader
	left, max int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, tooLarge(c.max)
	}
	// Ask for one byte beyond the cap so an exact-size body is not an error
	// but a longer one is noticed.
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n + int(c.left), tooLarge(c.max)
	}
	return n, err
}

// Do sends req with ctx on client and returns the response once its
// headers arrived; a transport failure is described by Describe. The caller
// reads the body (with ReadBody or LimitBody) and closes it.
func Do(ctx context.Context, client *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return nil, Describe(ctx, err)
	}
	return resp, nil
}

// Describe turns a network error into one short line that says what failed
// and hints at the fix. Text that may quote a server is sanitized.
func Describe(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	msg := err.Error()
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return err
	case ctx.Err() == context.Canceled:
		return quiet{"cancelled", context.Canceled}
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return quiet{"timed out before a complete response (is the target hung? raise timeout if it is just slow)", context.DeadlineExceeded}
	case errors.As(err, &dnsErr):
		return fmt.Errorf("cannot resolve host %q (check the URL or DNS)", sanitize.Line(dnsErr.Name))
	case strings.Contains(msg, "connection refused"):
		addr := ""
		if errors.As(err, &opErr) && opErr.Addr != nil {
			addr = " " + opErr.Addr.String()
		}
		return fmt.Errorf("connection refused%s (is the service running on that port?)", addr)
	}
	// The url.Error's text repeats the URL, which may carry a secret in its
	// query; the caller names the target itself.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		msg = urlErr.Err.Error()
	}
	return errors.New(sanitize.Line(msg))
}

// Redact is rawURL fit for an error message or a log: the password and the
// query (either may hold a token) are hidden.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	u.Fragment = ""
	return sanitize.Line(u.Redacted())
}

// quiet is an error whose text is msg alone but which still matches err
// with errors.Is, so a message does not end in ": context deadline exceeded".
type quiet struct {
	msg string
	err error
}

func (q quiet) Error() string { return q.msg }
func (q quiet) Unwrap() error { return q.err }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// StatusError describes a non-2xx answer: the status and the start of the
// body, sanitized, so "500: upstream connect error" is visible at a glance.
func StatusError(resp *http.Response, body []byte) error {
	return fmt.Errorf("HTTP %d%s", resp.StatusCode, Snippet(body))
}

// Snippet is ": " and the first line of body, sanitized and at most 120
// characters, or "" for an empty body.
func Snippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	s = sanitize.Line(s)
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	if s == "" {
		return ""
	}
	return ": " + s
}
