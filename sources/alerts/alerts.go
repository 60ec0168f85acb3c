// Package alerts reads the firing alerts from Alertmanager's API v2.
//
// The UI renders an alerts snapshot with a type switch on Snapshot.Value:
//
//	case []alerts.Alert: most severe first, then oldest first. Every
//	    string (name, severity, summary, labels) is sanitized.
//
// The slice and its maps must not be modified.
package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sitrep-dev/sitrep/internal/sanitize"
	"github.com/sitrep-dev/sitrep/sources"
)

// Alert is one firing alert.
type Alert struct {
	Name        string // the alertname label
	Severity    string // the severity label ("" when unset)
	Summary     string // annotations.summary, else annotations.description
	StartsAt    time.Time
	Labels      map[string]string
	Fingerprint string // stable identity across polls
}

// Poller polls Alertmanager for active alerts that are neither silenced
// nor inhibited.
type Poller struct {
	URL     string // Alertmanager base URL, e.g. http://127.0.0.1:9093
	Every   time.Duration
	Limit   time.Duration
	MaxBody int64
	// Auth prepares each request (a bearer token read at use time); nil: none.
	Auth   func(*http.Request) error
	Client *http.Client // nil: sources.HTTPClient(Limit)

	once sync.Once
}

func (p *Poller) ID() string              { return "alerts" }
func (p *Poller) Kind() sources.Kind      { return sources.KindAlerts }
func (p *Poller) Interval() time.Duration { return p.Every }
func (p *Poller) Timeout() time.Duration  { return p.Limit }

// apiAlert is the part of Alertmanager's gettableAlert we read.
type apiAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	Fingerprint string            `json:"fingerprint"`
}

// Poll fetches the alert list once and returns []Alert.
func (p *Poller) Poll(ctx context.Context) (any, error) {
	p.once.Do(func() {
		if p.Client == nil {
			p.Client = sources.HTTPClient(p.Limit)
		}
	})
	u, err := url.Parse(strings.TrimSuffix(p.URL, "/") + "/api/v2/alerts")
	if err != nil {
		return nil, fmt.Errorf("alertmanager URL %s: %w", sources.Redact(p.URL), err)
	}
	u.RawQuery = "active=true&silenced=false&inhibited=false"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("alertmanager: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if p.Auth != nil {
		if err := p.Auth(req); err != nil {
			return nil, fmt.Errorf("alertmanager: %w", err)
		}
	}
	resp, err := sources.Do(ctx, p.Client, req)
	if err != nil {
		return nil, fmt.Errorf("alertmanager %s: %w", sources.Redact(p.URL), err)
	}
	body, err := sources.ReadBody(resp, p.MaxBody)
	if err != nil {
		return nil, fmt.Errorf("alertmanager %s: %w", sources.Redact(p.URL), sources.Describe(ctx, err))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("alertmanager %s: %w", sources.Redact(p.URL), sources.StatusError(resp, body))
	}
	list, err := Decode(body)
	if err != nil {
		return nil, fmt.Errorf("alertmanager %s: %w", sources.Redact(p.URL), err)
	}
	return list, nil
}

// Decode parses an API v2 alert list into sorted, sanitized Alerts.
func Decode(body []byte) ([]Alert, error) {
	var raw []apiAlert
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("malformed alert list (is the URL an Alertmanager API v2?): %s", sanitize.Line(err.Error()))
	}
	out := make([]Alert, 0, len(raw))
	for _, a := range raw {
		labels := make(map[string]string, len(a.Labels))
		for k, v := range a.Labels {
			labels[sanitize.Line(k)] = sanitize.Line(v)
		}
		summary := a.Annotations["summary"]
		if summary == "" {
			summary = a.Annotations["description"]
		}
		out = append(out, Alert{
			Name:        labels["alertname"],
			Severity:    labels["severity"],
			Summary:     sanitize.Line(summary),
			StartsAt:    a.StartsAt.UTC(),
			Labels:      labels,
			Fingerprint: sanitize.Line(a.Fingerprint),
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := Rank(out[i].Severity), Rank(out[j].Severity)
		if ri != rj {
			return ri < rj
		}
		if !out[i].StartsAt.Equal(out[j].StartsAt) {
			return out[i].StartsAt.Before(out[j].StartsAt)
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Rank orders severities, most severe first (0). Unknown ones come last.
func Rank(severity string) int {
	switch strings.ToLower(severity) {
	case "critical", "crit", "page", "p1", "sev1":
		return 0
	case "error", "high", "major", "p2", "sev2":
		return 1
	case "warning", "warn", "medium", "p3", "sev3":
		return 2
	case "info", "low", "minor", "p4", "sev4":
		return 3
	}
	return 4
}

// Key identifies an alert across polls: its fingerprint, or its labels
// when Alertmanager sent none.
func (a Alert) Key() string {
	if a.Fingerprint != "" {
		return a.Fingerprint
	}
	keys := make([]string, 0, len(a.Labels))
	for k := range a.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q,", k, a.Labels[k])
	}
	return b.String()
}
