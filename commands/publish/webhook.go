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
	url    string // may embed a secret (Slack's do): never put it in an error
	full   bool
	token  secret // optional: sent as Authorization: Bearer
	client *http.Client
}

// NewWebhook builds a webhook target from its config.
func NewWebhook(t config.StatusTarget) (*Webhook, error) {
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("url is not an http(s) URL")
	}
	b := newBase(t)
	return &Webhook{
		base:   b,
		url:    t.URL,
		full:   t.Format == "full",
		token:  secret{t.TokenEnv, t.TokenFile},
		client: sources.HTTPClient(b.timeout),
	}, nil
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
	if u, err := url.Parse(w.url); err == nil {
		host = u.Host
	}
	if w.full {
		return "POST the full update as JSON to " + host
	}
	return `POST {"text": …} to ` + host
}

// Check only verifies an optional token is readable.
func (w *Webhook) Check(Update) error {
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
	req, err := http.NewRequest(http.MethodPost, w.url, bytes.NewReader(body))
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
		return "", scrub(err, token, w.url)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", scrub(fmt.Errorf("the webhook answered HTTP %d%s", resp.StatusCode, sources.Snippet(answer)), token, w.url)
	}
	return fmt.Sprintf("HTTP %d", resp.StatusCode), nil
}
