// Package gh is sitrep's only door to the GitHub REST API. It is the one
// package that imports go-github (v60), so a bump to a newer go-github is a
// change to this package alone; everything it returns is one of the small
// structs below, with every string from GitHub already sanitized.
//
// Public API (all methods take a context whose deadline bounds the call,
// body included; every body is capped, see WithMaxBody):
//
//	c, err := gh.FromConfig(cfg.GitHub, nil)  // token from token_env/token_file, github.timeout per request
//	c, err := gh.New(baseURL, token, httpClient, gh.WithTokenSource("$GITHUB_TOKEN"),
//	                 gh.WithRequestTimeout(10*time.Second), gh.WithMaxBody(n))
//	r, err := gh.ParseRepo("org/service")
//
//	Issues:     CreateIssue, EditIssue, GetIssue, CreateComment, EditComment, ListComments
//	Export:     DefaultBranch, BranchSHA, CreateBranch, FileSHA, PutFile,
//	            CreatePullRequest, FindOpenPullRequest
//	Changes:    ListDeployments, LatestDeploymentStatus, ListMergedPullRequests, ListReleases
//	Rate limit: RateLimit (asks GitHub), LastRate (from the last response's headers)
//	Errors:     *Error (Status, RateLimited, Reset), StatusOf, IsNotFound
//	Tests:      package ghtest is a stateful fake of these endpoints on 127.0.0.1
//
// Conditional requests: every GET that returned an ETag is cached (bounded,
// per Client) and re-sent with If-None-Match. GitHub answers an unchanged
// resource with 304 Not Modified, which does not count against the rate
// limit; the transport then serves the cached body, so callers see the same
// result as before. go-github itself treats a 304 as an error
// (*github.ErrorResponse with StatusCode 304) — that is why the cache lives
// in the transport, below go-github, and a 304 never reaches it. Wrap a
// context with WithStats to learn how many of a call's requests were 304s.
//
// Errors are *Error: one line naming what failed and how to fix it
// ("GitHub token rejected (401): check $GITHUB_TOKEN", "repo org/x not found
// or token lacks access (404)"). The token never appears in any of them: it
// lives only in the transport, which sends it only to the configured host.
package gh

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// DefaultBaseURL is the public GitHub API.
const DefaultBaseURL = "https://api.github.com/"

// DefaultMaxBody caps each response body unless WithMaxBody says otherwise.
const DefaultMaxBody = 10 << 20

// maxPages bounds every paginated listing: a window of a few hours never
// needs more, and a misbehaving server's endless Link chain stops here.
const maxPages = 10

// perPage is GitHub's maximum page size; fewer pages, fewer requests.
const perPage = 100

// Client talks to one GitHub (or GitHub Enterprise) API with one token.
// It is safe for concurrent use.
type Client struct {
	api *github.Client
	tr  *transport
}

// Option adjusts a Client in New.
type Option func(*Client)

// WithTokenSource names where the token came from ("$GITHUB_TOKEN",
// "token_file /etc/sitrep/gh"), so a rejected token's error says what to
// check. It is a name, never the token.
func WithTokenSource(name string) Option {
	return func(c *Client) { c.tr.tokenSource = name }
}

// WithTokenFunc reads the token before every request instead of once, so
// a rotated token is picked up and a missing one is the error of each call
// (a pane shows it) rather than of construction. It overrides New's token.
func WithTokenFunc(fn func() (string, error)) Option {
	return func(c *Client) { c.tr.tokenFn = fn }
}

// WithMaxBody caps each response body at n bytes (n <= 0: DefaultMaxBody).
func WithMaxBody(n int64) Option {
	return func(c *Client) {
		if n <= 0 {
			n = DefaultMaxBody
		}
		c.tr.maxBody = n
	}
}

// WithRequestTimeout bounds every request, connect to last body byte, even
// when the caller's context has a longer deadline or none: a multi-step
// verb (an export is up to 8 requests) then gives each step its own time.
func WithRequestTimeout(d time.Duration) Option {
	return func(c *Client) { c.tr.perRequest = d }
}

// New returns a client for the API at baseURL ("" means api.github.com; for
// GitHub Enterprise pass https://HOST/api/v3/; a trailing slash is added
// when missing, as go-github requires). token may be empty for anonymous
// reads of public repositories. httpClient nil means a client with bounded
// dial, TLS and header timeouts; its Transport is wrapped, not modified.
func New(baseURL, token string, httpClient *http.Client, opts ...Option) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("github base_url %q: %v", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("github base_url %q must be http(s)://host/... (e.g. https://ghe.example/api/v3/)", baseURL)
	}
	if strings.ContainsAny(token, "\r\n") {
		return nil, &tokenError{errLineBreak}
	}
	if httpClient == nil {
		httpClient = defaultHTTPClient()
	}
	base := httpClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	tr := &transport{
		base:        base,
		host:        u.Host,
		token:       token,
		tokenSource: "github.token_env or github.token_file",
		maxBody:     DefaultMaxBody,
		cache:       newETagCache(cacheEntries, cacheBytes),
	}
	hc := *httpClient
	hc.Transport = tr
	api := github.NewClient(&hc)
	api.BaseURL = u
	api.UserAgent = "sitrep"
	c := &Client{api: api, tr: tr}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// defaultHTTPClient bounds each stage that can hang on its own; callers'
// contexts still bound the whole exchange, body included.
func defaultHTTPClient() *http.Client {
	const stage = 10 * time.Second
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: stage, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   stage,
			ResponseHeaderTimeout: stage,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
			ForceAttemptHTTP2:     true,
		},
		Timeout: 60 * time.Second,
	}
}

// Repo is owner/name.
type Repo struct{ Owner, Name string }

func (r Repo) String() string { return r.Owner + "/" + r.Name }

// ParseRepo splits "owner/name".
func ParseRepo(s string) (Repo, error) {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return Repo{}, fmt.Errorf("repository %q is not owner/name", s)
	}
	return Repo{Owner: owner, Name: name}, nil
}

// Rate is the API's rate limit as last reported.
type Rate struct {
	Limit     int
	Remaining int
	Reset     time.Time // when Remaining goes back to Limit
}

// Known reports whether any response has reported the rate limit yet.
func (r Rate) Known() bool { return r.Limit > 0 }

func (r Rate) String() string {
	if !r.Known() {
		return "rate limit unknown"
	}
	return fmt.Sprintf("%d/%d requests left, resets %s", r.Remaining, r.Limit, r.Reset.UTC().Format("15:04 UTC"))
}

// LastRate is the rate limit from the most recent response that carried
// X-RateLimit-* headers (304s included). It costs no request.
func (c *Client) LastRate() Rate { return c.tr.lastRate() }
