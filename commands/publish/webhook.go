package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
)

// Webhook POSTs the update as JSON: {"text": ...} for Slack (and the many
// receivers that accept Slack's shape), or the whole update with "full".
type Webhook struct {
	base
	url    string // from url:, or "" when it is a secret (urlSrc)
	urlSrc secret // url_env / url_file, read at use time
	full   bool
	token  secret // optional: sent as Authorization: Bearer
	client *http.Client
}

// NewWebhook builds a webhook target from its config.
func NewWebhook(t config.StatusTarget) (*Webhook, error) {
	w := &Webhook{
		base:   newBase(t),
		url:    t.URL,
		urlSrc: secret{t.URLEnv, t.URLFile},
		full:   t.Format == "full",
		token:  secret{t.TokenEnv, t.TokenFile},
	}
	w.client = sources.HTTPClient(w.timeout)
	if w.url == "" && !w.urlSrc.set() {
		return nil, fmt.Errorf("no url: set url, url_env or url_file")
	}
	if w.url != "" {
		if _, err := parseHookURL(w.url); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// parseHookURL checks a webhook URL without ever quoting it.
func parseHookURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the webhook url is not an http(s) URL")
	}
	return u, nil
}

// target is the URL to post to, read from its secret source if need be.
func (w *Webhook) target() (*url.URL, error) {
	raw := w.url
	if raw == "" {
		s, err := w.urlSrc.read()
		if err != nil {
			return nil, fmt.Errorf("webhook url: %w", err)
		}
		raw = s
	}
	return parseHookURL(raw)
}

// FullUpdate is the body of a `format: full` webhook.
type FullUpdate struct {
	Incident   FullIncident               `json:"incident"`
	UpdateID   string                     `json:"update_id"`
	State      string                     `json:"state"`
	Impact     string                     `json:"impact,omitempty"`
	Title      string                     `json:"title,omitempty"`
	Body       string                     `json:"body"`
	Components []incident.ComponentStatus `json:"components,omitempty"`
	Text       string                     `json:"text"`     // rendered plain text
	Markdown   string                     `json:"markdown"` // rendered Markdown
	At         string                     `json:"at"`       // RFC 3339, UTC
}

// FullIncident names the incident in a FullUpdate.
type FullIncident struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func (w *Webhook) payload(u Update) ([]byte, error) {
	if !w.full {
		return json.Marshal(map[string]string{"text": u.Plain})
	}
	d := u.Data
	return json.Marshal(FullUpdate{
		Incident: FullIncident{ID: u.IncidentID, Title: u.IncidentTitle},
		UpdateID: d.UpdateID, State: d.State, Impact: d.Impact, Title: d.Title,
		Body: d.Body, Components: d.Components, Text: u.Plain, Markdown: u.Markdown,
		At: u.At.UTC().Format("2006-01-02T15:04:05Z07:00"),
	})
}

// Describe names the host only: the rest of a webhook URL is often a secret.
func (w *Webhook) Describe(Update) string {
	host := "the webhook"
	if u, err := w.target(); err == nil {
		host = u.Host
	}
	if w.full {
		return "POST the full update as JSON to " + host
	}
	return `POST {"text": …} to ` + host
}

// Check verifies the URL and an optional token are readable.
func (w *Webhook) Check(Update) error {
	if _, err := w.target(); err != nil {
		return err
	}
	if !w.token.set() {
		return nil
	}
	_, err := w.token.read()
	return err
}

// Publish POSTs once; any non-2xx answer is a failure naming the status.
func (w *Webhook) Publish(ctx context.Context, u Update) (string, error) {
	body, err := w.payload(u)
	if err != nil {
		return "", err
	}
	dest, err := w.target()
	if err != nil {
		return "", err
	}
	req, err := http.NewRequest(http.MethodPost, dest.String(), bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("cannot build the request (check the target's url)")
	}
	req.Header.Set("Content-Type", "application/json")
	var token string
	if w.token.set() {
		if token, err = w.token.read(); err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, answer, err := send(ctx, w.client, req)
	if err != nil {
		return "", scrub(err, token, dest.String(), dest.Path)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", scrub(fmt.Errorf("the webhook answered HTTP %d%s", resp.StatusCode, sources.Snippet(answer)), token, dest.String(), dest.Path)
	}
	return fmt.Sprintf("HTTP %d", resp.StatusCode), nil
}
