package sources

import (
	"io"
	"net/http"
)

// Capped returns a copy of client whose every response body fails with
// ErrBodyTooLarge past max bytes (max <= 0: DefaultMaxBody), and which calls
// prepare on each outgoing request (nil: none) — to add an Authorization
// header read at use time, for instance. Use it for libraries that read
// bodies themselves (client_golang's API client, go-github).
func Capped(client *http.Client, max int64, prepare func(*http.Request) error) *http.Client {
	c := *client
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &capTransport{base: base, max: max, prepare: prepare}
	return &c
}

type capTransport struct {
	base    http.RoundTripper
	max     int64
	prepare func(*http.Request) error
}

func (t *capTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.prepare != nil {
		// RoundTrip must not modify the caller's request.
		req = req.Clone(req.Context())
		if err := t.prepare(req); err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = cappedBody{Reader: LimitBody(resp, t.max), Closer: resp.Body}
	return resp, nil
}

type cappedBody struct {
	io.Reader
	io.Closer
}
