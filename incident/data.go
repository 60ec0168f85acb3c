package incident

import "time"

// Payloads stored in Entry.Data, one type per kind. Field names are part of
// the journal and JSON export format: add fields, never rename them.

// OpenedData is the payload of KindOpened.
type OpenedData struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Severity int    `json:"severity"`
}

// SeverityData is the payload of KindSeverity.
type SeverityData struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// RoleData is the payload of KindRole ("commander" is the one the header shows).
type RoleData struct {
	Role   string `json:"role"`
	Person string `json:"person"`
}

// ActionData is the payload of KindAction: a follow-up item.
type ActionData struct {
	Owner string `json:"owner,omitempty"`
	Done  bool   `json:"done,omitempty"`
}

// RedactData is the payload of KindRedact. The redacted entry stays on disk
// (the chain must verify) but views and exports omit it.
type RedactData struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// MetricReading is a metric's value at one moment: the evidence journaled
// with an action so the export can show what the action did.
type MetricReading struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
	State string  `json:"state,omitempty"` // ok | warn | crit | stale
}

// FlagData is the payload of KindFlag: one kill-switch (or restore) attempt.
type FlagData struct {
	Provider string `json:"provider"`      // provider type: file | unleash | launchdarkly
	Source   string `json:"source"`        // the configured provider's name
	Flag     string `json:"flag"`          // flag key
	Env      string `json:"env,omitempty"` // environment, when the provider has them
	Action   string `json:"action"`        // off | on | restore
	Before   string `json:"before"`        // human-readable state before
	After    string `json:"after"`         // human-readable state after (intended)
	Reason   string `json:"reason,omitempty"`
	Result   string `json:"result"`          // applied | failed | dry-run
	Error    string `json:"error,omitempty"` // why it failed
	Verified bool   `json:"verified"`
	// VerifyMillis is how long it took until the new state was observed
	// (or until verification gave up).
	VerifyMillis int64 `json:"verify_ms"`
	// Undo is the provider-specific state needed to restore the flag exactly
	// (for the file provider: defaultVariant and any dropped targeting).
	Undo     map[string]any  `json:"undo,omitempty"`
	Evidence []MetricReading `json:"evidence,omitempty"`
}

// ComponentStatus is one affected component in a status update.
type ComponentStatus struct {
	Name   string `json:"name"`
	Status string `json:"status"` // operational | degraded_performance | partial_outage | major_outage | under_maintenance
}

// StatusData is the payload of KindStatus: a status-page update as drafted,
// and then its publication result per target.
type StatusData struct {
	Phase      string            `json:"phase"`     // draft | published | failed
	UpdateID   string            `json:"update_id"` // ties the draft to its publish results
	State      string            `json:"state"`     // investigating | identified | monitoring | resolved
	Impact     string            `json:"impact,omitempty"`
	Title      string            `json:"title,omitempty"`
	Body       string            `json:"body"`
	Components []ComponentStatus `json:"components,omitempty"`
	Target     string            `json:"target,omitempty"`     // publish target name (published/failed)
	TargetRef  string            `json:"target_ref,omitempty"` // e.g. Statuspage incident id, comment URL
	Error      string            `json:"error,omitempty"`
}

// ChangeData is the payload of KindChange: a deploy, merged PR or release.
type ChangeData struct {
	Repo    string    `json:"repo"`
	Kind    string    `json:"kind"` // deploy | pr | release
	Title   string    `json:"title"`
	Author  string    `json:"author,omitempty"`
	URL     string    `json:"url,omitempty"`
	At      time.Time `json:"at"`
	Status  string    `json:"status,omitempty"`
	Ref     string    `json:"ref,omitempty"`
	Suspect bool      `json:"suspect,omitempty"`
}

// HealthData is the payload of KindHealth: a check changed state.
type HealthData struct {
	Check     string `json:"check"`
	From      string `json:"from"`
	To        string `json:"to"` // up | degraded | down
	Reason    string `json:"reason,omitempty"`
	LatencyMS int64  `json:"latency_ms,omitempty"`
}

// AlertData is the payload of KindAlert: an alert started or stopped firing.
type AlertData struct {
	Name     string            `json:"name"`
	State    string            `json:"state"` // firing | resolved
	Severity string            `json:"severity,omitempty"`
	Summary  string            `json:"summary,omitempty"`
	StartsAt time.Time         `json:"starts_at"`
	Labels   map[string]string `json:"labels,omitempty"`
}

// MetricData is the payload of KindMetric: a metric crossed a threshold.
type MetricData struct {
	Name  string  `json:"name"`
	From  string  `json:"from"` // ok | warn | crit
	To    string  `json:"to"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// ExportData is the payload of KindExport: where the postmortem was published.
type ExportData struct {
	Target string `json:"target"` // github-issue | github-pr | file
	URL    string `json:"url,omitempty"`
	Ref    string `json:"ref,omitempty"` // issue number, PR number, path
}
