package flags

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/sources"
)

// OFREP asks an OpenFeature Remote Evaluation Protocol endpoint (flagd,
// a relay proxy, the application's own) what clients get for a flag, so
// sitrep can confirm a kill reached them and not just the provider's API.
type OFREP struct {
	url      string
	context  map[string]string
	deadline time.Duration
	timeout  time.Duration
	client   *http.Client
	// Every is the pause between evaluations while waiting.
	Every time.Duration
}

// NewOFREP returns a verifier for the endpoint at rawURL (without the
// /ofrep/v1 path). evalCtx is sent as the evaluation context.
func NewOFREP(rawURL string, evalCtx map[string]string, deadline, timeout time.Duration) *OFREP {
	if deadline <= 0 {
		deadline = 30 * time.Second
	}
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	return &OFREP{url: strings.TrimRight(rawURL, "/"), context: evalCtx, deadline: deadline, timeout: timeout,
		client: sources.HTTPClient(timeout), Every: 250 * time.Millisecond}
}

// Deadline is how long Await waits for a new value.
func (o *OFREP) Deadline() time.Duration { return o.deadline }

// Evaluation is one OFREP answer.
type Evaluation struct {
	Key     string `json:"key"`
	Value   any    `json:"value"`
	Variant string `json:"variant,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// ErrorCode is set when the server could not evaluate the flag
	// (FLAG_NOT_FOUND, PARSE_ERROR, TARGETING_KEY_MISSING, ...).
	ErrorCode    string `json:"errorCode,omitempty"`
	ErrorDetails string `json:"errorDetails,omitempty"`
}

// Evaluate asks once for key's value.
func (o *OFREP) Evaluate(ctx context.Context, key string) (Evaluation, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	evalCtx := map[string]string{}
	for k, v := range o.context {
		evalCtx[k] = v
	}
	body, _ := json.Marshal(map[string]any{"context": evalCtx})
	u := o.url + "/ofrep/v1/evaluate/flags/" + url.PathEscape(key)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return Evaluation{}, fmt.Errorf("OFREP %s: %w", clean(u), err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := sources.Do(ctx, o.client, req)
	if err != nil {
		return Evaluation{}, fmt.Errorf("OFREP %s: %w", clean(u), err)
	}
	data, err := sources.ReadBody(resp, 1<<20)
	if err != nil {
		return Evaluation{}, fmt.Errorf("OFREP %s: %w", clean(u), sources.Describe(ctx, err))
	}
	var ev Evaluation
	jsonErr := json.Unmarshal(data, &ev)
	switch {
	case resp.StatusCode == http.StatusOK && jsonErr == nil:
	case (resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusNotFound) && jsonErr == nil && ev.ErrorCode != "":
		return Evaluation{}, fmt.Errorf("OFREP %s: %s: %s", clean(u), clean(ev.ErrorCode), clean(ev.ErrorDetails))
	case resp.StatusCode != http.StatusOK:
		return Evaluation{}, fmt.Errorf("OFREP %s: %w", clean(u), sources.StatusError(resp, data))
	default:
		return Evaluation{}, fmt.Errorf("OFREP %s: the answer is not OFREP JSON: %s", clean(u), clean(jsonErr.Error()))
	}
	ev.Key, ev.Variant, ev.Reason = clean(ev.Key), clean(ev.Variant), clean(ev.Reason)
	return ev, nil
}

// Matches reports whether ev shows the flag as want describes it: the same
// variant when both name one, else the same value.
func Matches(ev Evaluation, want Flag) bool {
	if want.Variant != "" && ev.Variant != "" {
		return ev.Variant == want.Variant
	}
	return want.Value != nil && reflect.DeepEqual(normalize(ev.Value), normalize(want.Value))
}

// normalize makes JSON values from different decoders comparable.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// Await evaluates key until it matches want or the deadline passes. It
// returns the last evaluation and whether it matched.
func (o *OFREP) Await(ctx context.Context, key string, want Flag) (Evaluation, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, o.deadline)
	defer cancel()
	var last Evaluation
	var lastErr error
	for {
		ev, err := o.Evaluate(ctx, key)
		if err == nil && Matches(ev, want) {
			return ev, true, nil
		}
		last, lastErr = ev, err
		select {
		case <-ctx.Done():
			if lastErr == nil {
				lastErr = fmt.Errorf("OFREP still serves %s after %s", describeEval(last), o.deadline)
			}
			return last, false, lastErr
		case <-time.After(o.Every):
		}
	}
}

func describeEval(ev Evaluation) string {
	v, _ := json.Marshal(ev.Value)
	s := clean(string(v))
	if ev.Variant != "" {
		s += " (variant " + ev.Variant + ")"
	}
	return s
}
