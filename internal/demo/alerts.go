package demo

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

// alertRule is a Prometheus-style rule over the simulation: the condition
// must hold for For (story time) before the alert fires, and the alert
// resolves as soon as it stops holding.
type alertRule struct {
	Name, Severity, Summary string
	For                     time.Duration
	Cond                    func(state) bool
	Describe                func(state) string
}

var alertRules = []alertRule{
	{
		Name: "DBConnectionPoolSaturated", Severity: "critical",
		Summary: "predictions-api database connection pool is nearly exhausted",
		For:     2 * time.Second,
		Cond:    func(s state) bool { return s.Usage() >= 0.9 },
		Describe: func(s state) string {
			return fmt.Sprintf("%d of %d connections in use, %d requests waiting for one.", s.InUse, poolMax, s.Waiting)
		},
	},
	{
		Name: "HighErrorRate", Severity: "warning",
		Summary: "predictions-api is answering more than 5% of requests with 5xx",
		For:     2 * time.Second,
		Cond:    func(s state) bool { return s.ErrFrac >= 0.05 },
		Describe: func(s state) string {
			return fmt.Sprintf("%.1f%% of requests fail with 5xx.", 100*s.ErrFrac)
		},
	},
}

// resendEvery is how often a Prometheus would re-send a firing alert; an
// Alertmanager sets endsAt a few of these ahead so a silent sender's alerts
// resolve on their own.
const resendEvery = time.Second

type firing struct {
	pendingSince time.Duration // story time the condition started holding; -1 when not
	active       bool
	startsAt     time.Time
	updatedAt    time.Time
	description  string
}

// alerter evaluates the rules; the World's mutex guards it.
type alerter struct {
	labels model.LabelSet // common labels (job, instance, service)
	st     []firing
}

func newAlerter(instance string) *alerter {
	a := &alerter{
		labels: model.LabelSet{"job": "predictions-api", "instance": model.LabelValue(instance), "service": "predictions-api"},
		st:     make([]firing, len(alertRules)),
	}
	for i := range a.st {
		a.st[i].pendingSince = -1
	}
	return a
}

func (a *alerter) eval(s state, now time.Time) {
	for i, r := range alertRules {
		f := &a.st[i]
		if !r.Cond(s) {
			*f = firing{pendingSince: -1}
			continue
		}
		if f.pendingSince < 0 {
			f.pendingSince = s.Story
		}
		if !f.active && s.Story-f.pendingSince >= r.For {
			f.active, f.startsAt = true, now.UTC()
		}
		if f.active {
			f.updatedAt, f.description = now.UTC(), r.Describe(s)
		}
	}
}

// gettableAlert is Alertmanager API v2's gettableAlert.
type gettableAlert struct {
	Labels       model.LabelSet `json:"labels"`
	Annotations  model.LabelSet `json:"annotations"`
	Receivers    []receiver     `json:"receivers"`
	Fingerprint  string         `json:"fingerprint"`
	StartsAt     time.Time      `json:"startsAt"`
	UpdatedAt    time.Time      `json:"updatedAt"`
	EndsAt       time.Time      `json:"endsAt"`
	Status       alertStatus    `json:"status"`
	GeneratorURL string         `json:"generatorURL,omitempty"`
}

type receiver struct {
	Name string `json:"name"`
}

type alertStatus struct {
	State       string   `json:"state"`
	SilencedBy  []string `json:"silencedBy"`
	InhibitedBy []string `json:"inhibitedBy"`
}

const receiverName = "predictions-oncall"

// active lists the firing alerts. Like Alertmanager, resolved alerts are
// not listed.
func (a *alerter) active() []gettableAlert {
	out := []gettableAlert{}
	for i, r := range alertRules {
		f := a.st[i]
		if !f.active {
			continue
		}
		ls := a.labels.Clone()
		ls["alertname"] = model.LabelValue(r.Name)
		ls["severity"] = model.LabelValue(r.Severity)
		out = append(out, gettableAlert{
			Labels:      ls,
			Annotations: model.LabelSet{"summary": model.LabelValue(r.Summary), "description": model.LabelValue(f.description)},
			Receivers:   []receiver{{receiverName}},
			Fingerprint: ls.Fingerprint().String(),
			StartsAt:    f.startsAt,
			UpdatedAt:   f.updatedAt,
			EndsAt:      f.updatedAt.Add(4 * resendEvery),
			Status:      alertStatus{State: "active", SilencedBy: []string{}, InhibitedBy: []string{}},
		})
	}
	return out
}

func (w *World) alertmanagerHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/alerts", w.getAlerts)
	mux.HandleFunc("GET /-/healthy", func(rw http.ResponseWriter, _ *http.Request) { rw.Write([]byte("OK")) })
	mux.HandleFunc("GET /-/ready", func(rw http.ResponseWriter, _ *http.Request) { rw.Write([]byte("OK")) })
	return mux
}

// getAlerts serves GET /api/v2/alerts with the query parameters of the
// real API: active, silenced, inhibited, unprocessed (booleans, default
// true) and receiver (an anchored regexp). The demo never silences or
// inhibits, so only active and receiver can hide its alerts. filter
// (label matchers) is refused with 400 rather than ignored, so a caller
// relying on it learns the demo does not implement it.
func (w *World) getAlerts(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	active := true
	for _, name := range []string{"active", "silenced", "inhibited", "unprocessed"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			http.Error(rw, fmt.Sprintf("%s in query must be of type boolean: %q", name, v), http.StatusBadRequest)
			return
		}
		if name == "active" {
			active = b
		}
	}
	if len(q["filter"]) > 0 {
		http.Error(rw, "the sitrep demo alertmanager does not implement filter matchers; leave filter out", http.StatusBadRequest)
		return
	}
	wanted := true
	if v := q.Get("receiver"); v != "" {
		re, err := regexp.Compile("^(?:" + v + ")$")
		if err != nil {
			http.Error(rw, fmt.Sprintf("failed to parse receiver param: %v", err), http.StatusBadRequest)
			return
		}
		wanted = re.MatchString(receiverName)
	}
	alerts := []gettableAlert{}
	if active && wanted {
		w.mu.RLock()
		alerts = w.alerts.active()
		w.mu.RUnlock()
	}
	writeJSON(rw, http.StatusOK, alerts)
}
