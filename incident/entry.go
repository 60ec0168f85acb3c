// Package incident is the record of an incident: its entries, the
// append-only journal they live in, milestones computed from them and the
// postmortem rendered from them. It is pure Go: no terminal, no network.
package incident

import (
	"encoding/json"
	"fmt"
	"time"
)

// Kind says what an entry records. Unknown kinds (written by a newer sitrep)
// load fine and are treated as notes by views and exports.
type Kind string

const (
	KindOpened     Kind = "opened"     // the incident was started; Data: OpenedData
	KindNote       Kind = "note"       // free text from a person
	KindStarted    Kind = "started"    // back-dated start of impact (milestone)
	KindDetected   Kind = "detected"   // milestone
	KindIdentified Kind = "identified" // milestone
	KindMitigated  Kind = "mitigated"  // milestone
	KindResolved   Kind = "resolved"   // milestone; its text is the summary
	KindSeverity   Kind = "severity"   // Data: SeverityData
	KindRole       Kind = "role"       // Data: RoleData
	KindAction     Kind = "action"     // follow-up item; Data: ActionData
	KindRedact     Kind = "redact"     // Data: RedactData
	KindFlag       Kind = "flag"       // Data: FlagData
	KindStatus     Kind = "status"     // Data: StatusData
	KindHealth     Kind = "health"     // Data: HealthData
	KindAlert      Kind = "alert"      // Data: AlertData
	KindMetric     Kind = "metric"     // Data: MetricData
	KindChange     Kind = "change"     // Data: ChangeData
	KindExport     Kind = "export"     // Data: ExportData
)

// knownKinds lists every kind this version understands.
var knownKinds = map[Kind]bool{
	KindOpened: true, KindNote: true, KindStarted: true, KindDetected: true,
	KindIdentified: true, KindMitigated: true, KindResolved: true,
	KindSeverity: true, KindRole: true, KindAction: true, KindRedact: true,
	KindFlag: true, KindStatus: true, KindHealth: true, KindAlert: true,
	KindMetric: true, KindChange: true, KindExport: true,
}

// Known reports whether this version of sitrep understands k.
func (k Kind) Known() bool { return knownKinds[k] }

// IsMilestone reports whether k marks a point in the incident's life cycle.
func (k Kind) IsMilestone() bool {
	switch k {
	case KindStarted, KindDetected, KindIdentified, KindMitigated, KindResolved:
		return true
	}
	return false
}

// LoggableKinds are the kinds a person may write with `sitrep log --kind`.
// The others are written by the verbs that own them (flag, status, ...).
var LoggableKinds = []Kind{
	KindNote, KindStarted, KindDetected, KindIdentified, KindMitigated,
	KindResolved, KindSeverity, KindRole, KindAction,
}

// Entry is one line of the journal. Field order here is the order on disk.
type Entry struct {
	Seq    int64           `json:"seq"`
	At     time.Time       `json:"at"`
	Author string          `json:"author"`
	Kind   Kind            `json:"kind"`
	Text   string          `json:"text"`
	Data   json.RawMessage `json:"data,omitempty"`
	// Auto marks entries written by sitrep itself (the recorder), which views
	// dim and exports mark, as opposed to what a person did.
	Auto bool `json:"auto,omitempty"`
	// Prev is the hex SHA-256 of the previous line's bytes (without its
	// newline); empty for the first entry. It makes edits detectable.
	Prev string `json:"prev"`
}

// Decode unmarshals the entry's data into v.
func (e Entry) Decode(v any) error {
	if len(e.Data) == 0 {
		return fmt.Errorf("entry %d (%s) has no data", e.Seq, e.Kind)
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("entry %d (%s): data: %w", e.Seq, e.Kind, err)
	}
	return nil
}

// Draft is what a caller asks to append; the journal fills in seq, prev and,
// when At is zero, the time.
type Draft struct {
	At     time.Time
	Author string
	Kind   Kind
	Text   string
	Data   any // marshalled to JSON; nil for none
	Auto   bool
}
