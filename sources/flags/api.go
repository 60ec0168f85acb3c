package flags

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/sitrep-dev/sitrep/sources"
)

// call sends one API request and returns the body of a 2xx answer. Any
// other answer is an error with the status, the start of the server's
// message (sanitized) and, for 401/403, where the token comes from. The
// token never appears in an error.
func (c apiClient) call(ctx context.Context, method, path string, body any, contentType string, header http.Header) ([]byte, int, error) {
	tok, err := c.token()
	if err != nil {
		return nil, 0, err
	}
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, 0, err
		}
		rd = bytes.NewReader(b)
	}
	url := c.baseURL + path
	var req *http.Request
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, method, url, rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, url, nil)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", method, clean(url), err)
	}
	req.Header.Set("Authorization", c.authPrefix+tok)
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := sources.Do(ctx, c.client, req)
	if err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", method, clean(url), err)
	}
	data, err := sources.ReadBody(resp, sources.DefaultMaxBody)
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("%s %s: reading the answer: %w", method, clean(url), sources.Describe(ctx, err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			hint = " " + c.hint
		}
		// A server may quote the credential it rejected; never repeat it.
		msg := strings.ReplaceAll(sources.StatusError(resp, data).Error(), tok, "[token]")
		return data, resp.StatusCode, fmt.Errorf("%s %s: %s%s", method, clean(url), msg, hint)
	}
	return data, resp.StatusCode, nil
}

// decode unmarshals an API answer, naming the request on failure.
func decode(data []byte, v any, what string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: unexpected answer (not the documented JSON): %s", what, clean(err.Error()))
	}
	return nil
}
