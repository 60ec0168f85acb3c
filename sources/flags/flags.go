// Package flags reads and flips feature flags in the providers sitrep
// supports: a flagd flag-definition file, Unleash and LaunchDarkly. It is
// the one place that talks to them, for the dashboard's Flags pane (as a
// sources.Poller), for `sitrep check`, and for the kill switch in commands/.
//
// A change is done in two steps so nothing is changed blindly: Plan reads
// the flag and works out what would change (the preview the commander
// confirms); Apply re-reads it, refuses if it moved since the preview, and
// only then writes.
package flags

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// Provider types, as written in the config's `provider:`.
const (
	TypeFile         = "file"
	TypeUnleash      = "unleash"
	TypeLaunchDarkly = "launchdarkly"
)

// Flag is one flag in one environment as a provider reports it. Every
// string in it is sanitized: it came from outside.
type Flag struct {
	Source   string `json:"source"`   // the configured provider's name
	Provider string `json:"provider"` // its type: file | unleash | launchdarkly
	Key      string `json:"key"`
	Env      string `json:"env,omitempty"`
	// On is true when the flag serves its "on" behaviour: for a file flag,
	// ENABLED and not on its off variant; for Unleash, the environment is
	// enabled; for LaunchDarkly, targeting is on.
	On bool `json:"on"`
	// State is On said for a person: "on", "off", "off (variant off)",
	// "on (variant on, targeting)", "off (DISABLED)".
	State   string `json:"state"`
	Variant string `json:"variant,omitempty"` // file: defaultVariant
	// Value is the JSON value clients should get in this state when it is
	// predictable (the off variant's value, LaunchDarkly's offVariation),
	// else nil; OFREP verification compares against it.
	Value any `json:"value,omitempty"`
	// Version is the precondition token a change is checked against: the
	// file's content hash, Unleash's environment state, LaunchDarkly's
	// _version.
	Version    string    `json:"version,omitempty"`
	LastChange time.Time `json:"last_change,omitzero"`
	// Targeting says the flag has rules that may serve other variants to
	// some clients whatever the default is.
	Targeting bool `json:"targeting,omitempty"`
}

// Name is "source/key", the unambiguous way to name a flag on the command line.
func (f Flag) Name() string { return f.Source + "/" + f.Key }

// Change is what a caller asks for.
type Change struct {
	Key string
	// On is the state wanted (false = kill).
	On bool
	// DropTargeting (file only) also removes the flag's targeting rules so
	// every client gets the default variant; the rules go into Plan.Undo.
	DropTargeting bool
	// Restore, when set, is a previous Plan.Undo: the flag is put back
	// exactly as it was before that change (On is then ignored).
	Restore map[string]any
	// Comment is recorded by providers that keep an audit log
	// (LaunchDarkly): "<incident id>: <reason>".
	Comment string
}

// Plan is a change worked out against the flag as read now: the preview.
type Plan struct {
	Change Change
	Before Flag
	After  Flag // the flag as it will be once applied
	// Effects lists, for a person, everything that will change
	// ("defaultVariant: on → off", "targeting removed (kept for restore)")
	// and anything that will not but matters ("targeting kept: ...").
	Effects []string
	// NoOp is true when the flag is already in the wanted state.
	NoOp bool
	// Undo is what Change.Restore needs to undo this plan exactly. It goes
	// into the journal, so it holds only JSON values.
	Undo map[string]any
	// internal carries provider-private data from Plan to Apply.
	internal any
}

// Provider is one configured flag backend.
type Provider interface {
	Name() string // the configured name ("file", "prod-unleash")
	Type() string // file | unleash | launchdarkly
	Env() string  // the environment it acts on ("" for a file)
	List(ctx context.Context) ([]Flag, error)
	// Get returns one flag; a missing flag is an error wrapping ErrNotFound.
	Get(ctx context.Context, key string) (Flag, error)
	// Plan reads the flag and works out the change without changing anything.
	Plan(ctx context.Context, c Change) (Plan, error)
	// Apply carries out p. It re-reads the flag first and returns a
	// *ConflictError, changing nothing, if it differs from p.Before.
	// It returns the flag as read back after the change when the provider
	// answers with it, else p.After.
	Apply(ctx context.Context, p Plan) (Flag, error)
	// Verifier is the OFREP endpoint configured to confirm that clients see
	// a change, or nil.
	Verifier() *OFREP
	Interval() time.Duration
	Timeout() time.Duration
}

// ErrNotFound is wrapped by errors for a flag the provider does not have.
var ErrNotFound = errors.New("flag not found")

// ConflictError means the flag changed between the preview and the apply;
// nothing was written.
type ConflictError struct {
	Flag      string
	Was, Now  string // the states seen at preview and now, for a person
	Different string // what differs ("file content", "_version 7 → 8")
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s changed since the preview (%s; was %q, now %q): nothing was written; look at it again and re-run",
		e.Flag, e.Different, e.Was, e.Now)
}

// Observed reports whether got shows the state a plan intended: the same
// on/off and, where the provider has variants, the same variant.
func Observed(want, got Flag) bool {
	return want.On == got.On && want.Variant == got.Variant
}

// clean sanitizes a string that came from outside.
func clean(s string) string { return sanitize.Line(s) }

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
