package health

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sitrep-dev/sitrep/sources"
)

// HTTP is an HTTP health check. It is up when the status is in Status (any
// 2xx when Status is empty) and the body contains BodyContains and matches
// BodyRegexp (when set); degraded when all that holds but it took longer
// than MaxLatency; down otherwise.
type HTTP struct {
	Name    string
	URL     string
	Method  string            // default GET
	Headers map[string]string // fixed values
	// HeadersEnv maps header names to environment variables read at each
	// poll, for secrets; a missing variable fails the poll (not the target).
	HeadersEnv   map[string]string
	Status       []int
	BodyContains string
	BodyRegexp   *regexp.Regexp
	MaxLatency   time.Duration // 0: never degraded
	Every        time.Duration
	Limit        time.Duration
	MaxBody      int64
	Client       *http.Client // nil: sources.HTTPClient(Limit)

	once sync.Once
}

func (h *HTTP) ID() string              { return "health/" + h.Name }
func (h *HTTP) Kind() sources.Kind      { return sources.KindHealth }
func (h *HTTP) Interval() time.Duration { return h.Every }
func (h *HTTP) Timeout() time.Duration  { return h.Limit }

// Poll runs the check once and returns a Result.
func (h *HTTP) Poll(ctx context.Context) (any, error) {
	h.once.Do(func() {
		if h.Client == nil {
			h.Client = sources.HTTPClient(h.Limit)
		}
	})
	method := h.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, h.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("health %s: %w", h.Name, err)
	}
	for k, v := range h.Headers {
		req.Header.Set(k, v)
	}
	for k, env := range h.HeadersEnv {
		v := os.Getenv(env)
		if v == "" {
			return nil, fmt.Errorf("health %s: header %s: environment variable %s is empty or not set", h.Name, k, env)
		}
		req.Header.Set(k, v)
	}
	start := time.Now()
	res := Result{Name: h.Name, State: Down}
	resp, err := sources.Do(ctx, h.Client, req)
	if err != nil {
		return h.finish(res, start, reason("%s %s: %v", method, sources.Redact(h.URL), err)), nil
	}
	res.Status = resp.StatusCode
	// Read the whole (capped) body even when nothing checks it: the
	// latency then covers the full response as a user would see it, the
	// connection can be reused, and a failing status can quote it.
	body, err := sources.ReadBody(resp, h.MaxBody)
	if err != nil {
		return h.finish(res, start, reason("reading body: %v", sources.Describe(ctx, err))), nil
	}
	switch {
	case !h.statusOK(resp.StatusCode):
		return h.finish(res, start, reason("HTTP %d, want %s%s", resp.StatusCode, h.wantStatus(), sources.Snippet(body))), nil
	case h.BodyContains != "" && !strings.Contains(string(body), h.BodyContains):
		return h.finish(res, start, reason("body does not contain %q", h.BodyContains)), nil
	case h.BodyRegexp != nil && !h.BodyRegexp.Match(body):
		return h.finish(res, start, reason("body does not match /%s/", h.BodyRegexp)), nil
	}
	res = h.finish(res, start, "")
	res.State = Up
	if h.MaxLatency > 0 && res.Latency > h.MaxLatency {
		res.State = Degraded
		res.Reason = reason("slow: %s > max_latency %s", res.Latency.Round(time.Millisecond), h.MaxLatency)
	}
	return res, nil
}

func (h *HTTP) finish(r Result, start time.Time, why string) Result {
	r.At = time.Now()
	r.Latency = r.At.Sub(start)
	r.Reason = why
	return r
}

func (h *HTTP) statusOK(code int) bool {
	if len(h.Status) == 0 {
		return code >= 200 && code < 300
	}
	return slices.Contains(h.Status, code)
}

func (h *HTTP) wantStatus() string {
	if len(h.Status) == 0 {
		return "2xx"
	}
	return strings.Trim(fmt.Sprint(h.Status), "[]")
}
