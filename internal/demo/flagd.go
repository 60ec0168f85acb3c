package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// flagSet is one parsed flagd flag-definition file, as a flagd daemon holds
// it after a (re)load. It is immutable once built.
type flagSet struct {
	flags map[string]flagDef
}

type flagDef struct {
	State          string                     `json:"state"`
	Variants       map[string]json.RawMessage `json:"variants"`
	DefaultVariant *string                    `json:"defaultVariant"`
	Targeting      json.RawMessage            `json:"targeting"`
	Metadata       map[string]any             `json:"metadata"`

	targeting any // Targeting decoded; nil when absent or {}
}

// parseFlags reads a flagd flag-definition file. Like flagd, it rejects a
// file whose flags are inconsistent, so the service keeps its last good set.
func parseFlags(data []byte) (*flagSet, error) {
	var doc struct {
		Flags map[string]json.RawMessage `json:"flags"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("flags file is not valid JSON: %w", err)
	}
	if doc.Flags == nil {
		return nil, errors.New(`flags file has no "flags" object`)
	}
	fs := &flagSet{flags: make(map[string]flagDef, len(doc.Flags))}
	for _, key := range sortedKeys(doc.Flags) {
		var f flagDef
		if err := json.Unmarshal(doc.Flags[key], &f); err != nil {
			return nil, fmt.Errorf("flag %q: %w", key, err)
		}
		if f.State != "ENABLED" && f.State != "DISABLED" {
			return nil, fmt.Errorf("flag %q: state %q is not ENABLED or DISABLED", key, f.State)
		}
		if len(f.Variants) == 0 {
			return nil, fmt.Errorf("flag %q: has no variants", key)
		}
		if f.DefaultVariant != nil {
			if _, ok := f.Variants[*f.DefaultVariant]; !ok {
				return nil, fmt.Errorf("flag %q: defaultVariant %q is not one of its variants", key, *f.DefaultVariant)
			}
		}
		if t := bytes.TrimSpace(f.Targeting); len(t) > 0 && !bytes.Equal(t, []byte("null")) {
			if err := json.Unmarshal(t, &f.targeting); err != nil {
				return nil, fmt.Errorf("flag %q: targeting: %w", key, err)
			}
			if m, ok := f.targeting.(map[string]any); !ok {
				return nil, fmt.Errorf("flag %q: targeting must be a JSON object", key)
			} else if len(m) == 0 {
				f.targeting = nil // flagd treats {} as "no targeting"
			}
		}
		fs.flags[key] = f
	}
	return fs, nil
}

// OpenFeature resolution reasons and error codes used by OFREP.
const (
	reasonStatic         = "STATIC"
	reasonTargetingMatch = "TARGETING_MATCH"
	reasonDefault        = "DEFAULT"
	reasonDisabled       = "DISABLED"

	codeFlagNotFound = "FLAG_NOT_FOUND"
	codeParseError   = "PARSE_ERROR"
	codeGeneral      = "GENERAL"
)

// resolution is the outcome of evaluating one flag.
type resolution struct {
	Key     string
	Value   json.RawMessage // nil when the caller must use its code default
	Variant string
	Reason  string
}

// evalError is an evaluation failure with its OpenFeature error code.
type evalError struct {
	Code   string
	Detail string
}

func (e *evalError) Error() string { return e.Code + ": " + e.Detail }

// evaluate resolves key for the evaluation context, as flagd does: a
// DISABLED flag defers to the caller's default; without targeting the
// default variant is STATIC; targeting picks a variant (TARGETING_MATCH) or
// returns null to fall back to the default variant (DEFAULT).
func (fs *flagSet) evaluate(key string, ctx map[string]any, now time.Time) (resolution, error) {
	f, ok := fs.flags[key]
	if !ok {
		return resolution{}, &evalError{codeFlagNotFound, fmt.Sprintf("flag %q is not in the flags file", key)}
	}
	r := resolution{Key: key}
	if f.State == "DISABLED" {
		r.Reason = reasonDisabled
		return r, nil
	}
	variant, reason := "", reasonStatic
	if f.DefaultVariant != nil {
		variant = *f.DefaultVariant
	}
	if f.targeting != nil {
		data := make(map[string]any, len(ctx)+1)
		for k, v := range ctx {
			data[k] = v
		}
		data["$flagd"] = map[string]any{"flagKey": key, "timestamp": float64(now.Unix())}
		out, err := jsonLogic(f.targeting, data)
		if err != nil {
			return resolution{}, &evalError{codeParseError, fmt.Sprintf("flag %q targeting: %v", key, err)}
		}
		switch v := out.(type) {
		case nil:
			reason = reasonDefault
		case string:
			variant, reason = v, reasonTargetingMatch
		case bool:
			variant, reason = fmt.Sprint(v), reasonTargetingMatch
		default:
			return resolution{}, &evalError{codeGeneral, fmt.Sprintf("flag %q targeting returned %s, not a variant name", key, describeJSON(v))}
		}
	}
	if variant == "" {
		// No default variant and no targeting match: defer to code.
		r.Reason = reasonDefault
		return r, nil
	}
	val, ok := f.Variants[variant]
	if !ok {
		return resolution{}, &evalError{codeGeneral, fmt.Sprintf("flag %q targeting chose variant %q, which it does not define", key, variant)}
	}
	r.Value, r.Variant, r.Reason = val, variant, reason
	return r, nil
}

// boolValue evaluates a boolean flag the way application code does: a
// deferral (DISABLED, no variant) or any error gives the code default.
func (fs *flagSet) boolValue(key string, def bool) bool {
	r, err := fs.evaluate(key, nil, time.Now())
	if err != nil || r.Value == nil {
		return def
	}
	var b bool
	if json.Unmarshal(r.Value, &b) != nil {
		return def
	}
	return b
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
