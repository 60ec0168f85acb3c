package gh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
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
	tokenSource string
	maxBody     int64
	cache       *etagCache

	mu   sync.Mutex
	rate Rate
}

// ErrBodyTooLarge is returned (wrapped) when a response exceeds the cap.
var ErrBodyTooLarge = errors.New("GitHub response body too large")

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if t.token != "" && req.URL.Host == t.host {
		req.Header.Set("Authorization", "Bearer "+t.token)
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
	resp.Body = &capBody{rc: resp.Body, left: t.maxBody, max: t.maxBody}
	return resp, nil
}

func (t *transport) readAll(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > t.maxBody {
		return nil, tooLarge(t.maxBody)
	}
	b, err := io.ReadAll(&capBody{rc: resp.Body, left: t.maxBody, max: t.maxBody})
	if err != nil {
		return nil, err
	}
	return b, nil
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

func tooLarge(max int64) error {
	return fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, max)
}

// capBody fails, rather than truncates, once more than max bytes arrive: a
// cut-off JSON document would decode into something wrong.
type capBody struct {
	rc        io.ReadCloser
	left, max int64
}

func (c *capBody) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, tooLarge(c.max)
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n + int(c.left), tooLarge(c.max)
	}
	return n, err
}

func (c *capBody) Close() error { return c.rc.Close() }

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
