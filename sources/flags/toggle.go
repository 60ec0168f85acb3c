package flags

import (
	"context"
	"errors"
	"fmt"
)

// toggle is what Unleash and LaunchDarkly share: a flag is switched on or
// off per environment, and nothing else changes.
type toggle struct {
	get func(ctx context.Context, key string) (Flag, error)
	// what names the switch in effects: "environment production",
	// "targeting in production".
	what string
	// after is the flag as it will read once switched to on.
	after func(before Flag, on bool) Flag
	// moved describes how the flag changed since the preview, for a
	// ConflictError.
	moved func(was, now Flag) string
}

// plan reads the flag and works out switching it.
func (t toggle) plan(ctx context.Context, c Change, typ string) (Plan, error) {
	if c.DropTargeting {
		return Plan{}, fmt.Errorf("--drop-targeting is only for file flags: a %s kill switches the whole environment off, so no rule applies", typ)
	}
	before, err := t.get(ctx, c.Key)
	if err != nil {
		return Plan{}, err
	}
	want := c.On
	if c.Restore != nil {
		var ok bool
		if want, ok = c.Restore["on"].(bool); !ok {
			return Plan{}, errors.New("cannot restore: the journal's undo record has no on/off state")
		}
	}
	if before.On == want {
		return Plan{Change: c, Before: before, After: before, NoOp: true}, nil
	}
	after := t.after(before, want)
	return Plan{Change: c, Before: before, After: after, Undo: map[string]any{"on": before.On},
		Effects: []string{fmt.Sprintf("%s: %s → %s", t.what, before.State, after.State)}}, nil
}

// recheck re-reads the flag just before a switch and refuses if it moved
// since the preview: these APIs have no conditional update, so the window
// for a lost update is the few milliseconds between this read and the write.
func (t toggle) recheck(ctx context.Context, plan Plan) error {
	now, err := t.get(ctx, plan.Change.Key)
	if err != nil {
		return err
	}
	if now.Version != plan.Before.Version {
		return &ConflictError{Flag: plan.Before.Name(), Was: plan.Before.State, Now: now.State, Different: t.moved(plan.Before, now)}
	}
	return nil
}
