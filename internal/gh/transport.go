package gh

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sitrep-dev/sitrep/sources"
)

// cacheEntries and cacheBytes bound the ETag cache: a few repos × (a few
// list pages + one status per recent deployment) fit many times over, and
// a page of 100 pull requests (~2 MB) cannot make it grow without limit.
const (
	cacheEntries = 512
	cacheBytes   = 64 << 20
)

// transport sits between go-github and the network. It adds the token (only
// for the configured API host, so a redirect elsewhere never carries it),
// makes GETs conditional, caps bodies and records the rate limit.
type transport struct {
	base        http.RoundTripper
	host        string
	token       string
	tokenFn     func() (string, error) // when set, read per request (rotation)
	tokenSource string
	maxBody     int64
	perRequest  time.Duration // 0: only the caller's context bounds a request
	cache       *etagCache

	mu   sync.Mutex
	rate Rate
}

// ErrBodyTooLarge is returned (wrapped) when a response exceeds the cap;
// it is the error every source uses.
var ErrBodyTooLarge = sources.ErrBodyTooLarge

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if t.perRequest > 0 {
		ctx, cancel = context.WithTimeout(ctx, t.perRequest)
	}
	resp, err := t.roundTrip(req.Clone(ctx))
	if err != nil || resp.Body == nil {
		cancel()
		return resp, err
	}
	// The deadline must cover reading the body too, so it ends on Close.
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

// tokenError is a token that could not be read; no request was sent.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "GitHub token: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

var errLineBreak = errors.New("the token contains a line break: check the token file or variable")

// cancelOnClose releases a request's deadline when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

func (t *transport) roundTrip(req *http.Request) (*http.Response, error) {
	token := t.token
	if t.tokenFn != nil {
		tok, err := t.tokenFn()
		if err != nil {
			return nil, &tokenError{err}
		}
		if strings.ContainsAny(tok, "\r\n") {
			return nil, &tokenError{errLineBreak}
		}
		token = tok
	}
	if token != "" && req.URL.Host == t.host {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	key := ""
	var hit *cached
	if req.Method == http.MethodGet {
		key = req.URL.String()
		if hit = t.cache.get(key); hit != nil {
			req.Header.Set("If-None-Match", hit.etag)
		}
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	t.noteRate(resp.Header)
	stats, _ := req.Context().Value(statsKey{}).(*Stats)
	if stats != nil {
		stats.requests.Add(1)
	}
	if resp.StatusCode == http.StatusNotModified && hit != nil {
		resp.Body.Close()
		if stats != nil {
			stats.notModified.Add(1)
		}
		return hit.response(req, resp.Header), nil
	}
	if key != "" && resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != "" {
		body, err := t.readAll(resp)
		if err != nil {
			return nil, err
		}
		t.cache.put(key, &cached{etag: resp.Header.Get("ETag"), header: resp.Header.Clone(), body: body})
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		return resp, nil
	}
	resp.Body = limited{sources.LimitBody(resp, t.maxBody), resp.Body}
	return resp, nil
}

func (t *transport) readAll(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	return io.ReadAll(sources.LimitBody(resp, t.maxBody))
}

func (t *transport) noteRate(h http.Header) {
	limit, err1 := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	remaining, err2 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	if err1 != nil || err2 != nil {
		return
	}
	r := Rate{Limit: limit, Remaining: remaining}
	if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		r.Reset = time.Unix(reset, 0).UTC()
	}
	t.mu.Lock()
	t.rate = r
	t.mu.Unlock()
}

func (t *transport) lastRate() Rate {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rate
}

// limited closes the body it reads through a sources.LimitBody cap.
type limited struct {
	io.Reader
	io.Closer
}

// cached is a 200 response kept for its ETag.
type cached struct {
	etag   string
	header http.Header
	body   []byte
}

// response rebuilds the cached 200 for req. The 304's rate headers replace
// the stored ones (they are current), and X-From-Cache tells go-github not
// to record this as fresh rate information.
func (c *cached) response(req *http.Request, fresh http.Header) *http.Response {
	h := c.header.Clone()
	for _, k := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used"} {
		if v := fresh.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	h.Set("X-From-Cache", "1")
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)),
		Request:       req,
	}
}

// etagCache is a small LRU of cached responses keyed by URL.
type etagCache struct {
	mu       sync.Mutex
	max      int
	maxBytes int
	bytes    int
	items    map[string]*cached
	order    []string // least recently used first
}

func newETagCache(max, maxBytes int) *etagCache {
	return &etagCache{max: max, maxBytes: maxBytes, items: map[string]*cached{}}
}

func (c *etagCache) get(key string) *cached {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.items[key]
	if v != nil {
		c.touch(key)
	}
	return v
}

func (c *etagCache) put(key string, v *cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(v.body) > c.maxBytes {
		return
	}
	if old, ok := c.items[key]; ok {
		c.bytes -= len(old.body)
	}
	c.items[key] = v
	c.bytes += len(v.body)
	c.touch(key)
	for len(c.items) > c.max || c.bytes > c.maxBytes {
		oldest := c.order[0]
		c.order = c.order[1:]
		c.bytes -= len(c.items[oldest].body)
		delete(c.items, oldest)
	}
}

func (c *etagCache) touch(key string) {
	for i, k := range c.order {
		if k == key {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	c.order = append(c.order, key)
}

// Stats counts the requests made under a context from WithStats.
type Stats struct {
	requests, notModified atomic.Int64
}

// Requests is how many requests reached the server.
func (s *Stats) Requests() int64 { return s.requests.Load() }

// NotModified is how many of them were answered 304 (and so cost no rate
// limit and changed nothing).
func (s *Stats) NotModified() int64 { return s.notModified.Load() }

// Unchanged reports whether every request was answered 304: the result is
// the same as the previous call's.
func (s *Stats) Unchanged() bool {
	n := s.requests.Load()
	return n > 0 && s.notModified.Load() == n
}

type statsKey struct{}

// WithStats returns a context under which requests are counted in the
// returned Stats.
func WithStats(ctx context.Context) (context.Context, *Stats) {
	s := &Stats{}
	return context.WithValue(ctx, statsKey{}, s), s
}
