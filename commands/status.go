package commands

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// Status update vocabulary, in Statuspage's words (the other targets use
// the same ones).
var (
	// States in their advisory order; going back asks for confirmation.
	States            = []string{"investigating", "identified", "monitoring", "resolved"}
	Impacts           = []string{"none", "minor", "major", "critical"}
	ComponentStatuses = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
)

// Phases of a status entry.
const (
	PhaseDraft     = "draft"
	PhasePublished = "published"
	PhaseFailed    = "failed"
)

// MaxStatusBody bounds an update's body, in characters: far more than any
// status page shows, small enough that a pasted log is caught.
const MaxStatusBody = 10000

// stateRank is a state's position in States; -1 when unknown.
func stateRank(state string) int { return slices.Index(States, state) }

// ValidateUpdate checks an update's fields (not its targets): known state,
// impact and component statuses, a body, no component twice.
func ValidateUpdate(d incident.StatusData) error {
	var errs []error
	if stateRank(d.State) < 0 {
		errs = append(errs, fmt.Errorf("state %q is not one of: %s", sanitize.Line(d.State), strings.Join(States, ", ")))
	}
	if d.Impact != "" && !slices.Contains(Impacts, d.Impact) {
		errs = append(errs, fmt.Errorf("impact %q is not one of: %s", sanitize.Line(d.Impact), strings.Join(Impacts, ", ")))
	}
	if strings.TrimSpace(d.Body) == "" {
		errs = append(errs, errors.New("the update has no text: write what customers should know"))
	} else if n := utf8.RuneCountInString(d.Body); n > MaxStatusBody {
		errs = append(errs, fmt.Errorf("the text is %d characters; keep it under %d", n, MaxStatusBody))
	}
	if strings.ContainsAny(d.Title, "\r\n") {
		errs = append(errs, errors.New("the title must be one line"))
	}
	seen := map[string]bool{}
	for _, c := range d.Components {
		name := strings.TrimSpace(c.Name)
		switch {
		case name == "":
			errs = append(errs, errors.New("a component has no name"))
		case seen[name]:
			errs = append(errs, fmt.Errorf("component %q is listed twice", sanitize.Line(name)))
		case !slices.Contains(ComponentStatuses, c.Status):
			errs = append(errs, fmt.Errorf("component %q: status %q is not one of: %s", sanitize.Line(name), sanitize.Line(c.Status), strings.Join(ComponentStatuses, ", ")))
		}
		seen[name] = true
	}
	return errors.Join(errs...)
}

// ParseComponent reads NAME=STATUS (as given to --component). The status
// may be written with spaces or dashes ("partial outage").
func ParseComponent(s string) (incident.ComponentStatus, error) {
	name, status, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return incident.ComponentStatus{}, fmt.Errorf("component %q: write NAME=STATUS, e.g. api=partial_outage", sanitize.Line(s))
	}
	status = strings.ToLower(strings.TrimSpace(status))
	status = strings.NewReplacer(" ", "_", "-", "_").Replace(status)
	if !slices.Contains(ComponentStatuses, status) {
		return incident.ComponentStatus{}, fmt.Errorf("component %q: status %q is not one of: %s", sanitize.Line(name), sanitize.Line(status), strings.Join(ComponentStatuses, ", "))
	}
	return incident.ComponentStatus{Name: name, Status: status}, nil
}

// KnownComponents lists the component names the commander can pick from:
// those mapped on statuspage targets and those earlier updates named,
// sorted and without duplicates.
func KnownComponents(cfg *config.Config, entries []incident.Entry) []string {
	seen := map[string]bool{}
	if cfg != nil {
		for _, t := range cfg.Status {
			for name := range t.Components {
				seen[name] = true
			}
		}
	}
	for _, u := range ReadStatus(entries).Updates {
		for _, c := range u.Draft.Components {
			seen[c.Name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
