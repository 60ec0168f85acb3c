package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sitrep-dev/sitrep/commands/publish"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// PublishOptions configures Publish and Retry.
type PublishOptions struct {
	Targets []publish.Target
	// Confirm is shown the preview and returns whether to go ahead; nil
	// means the caller has already confirmed (see Seen).
	Confirm func(Preview) bool
	// Seen, when set, is the preview the commander confirmed elsewhere (the
	// dashboard): Publish refuses if the draft changed since.
	Seen   *Preview
	Author string
	Now    func() time.Time // for tests; nil means time.Now
}

// Outcome is the result of publishing one update to one target.
type Outcome struct {
	UpdateID string
	Target   string
	Ref      string
	Err      error
	Skipped  string // why nothing was attempted (retry of a superseded update...)
}

// PublishResult is every outcome of one Publish or Retry.
type PublishResult struct {
	Outcomes []Outcome
}

// Err joins the failures, one line per target; nil when all succeeded.
func (r PublishResult) Err() error {
	var errs []error
	for _, o := range r.Outcomes {
		if o.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", o.Target, o.Err))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w; the update stays queued: run `sitrep status retry` to publish it to the failed target(s) only", errors.Join(errs...))
}

// ErrNotConfirmed is returned when Confirm said no.
var ErrNotConfirmed = errors.New("not published: cancelled at the preview")

// ErrNothingToPublish is returned when no draft awaits publishing.
var ErrNothingToPublish = errors.New("no draft to publish: write one with `sitrep status draft --state STATE TEXT`")

// Publish sends the latest draft to every target that has not had it yet,
// concurrently, each within its own timeout, after Confirm approves the
// preview. Every result is journaled as it arrives (published with the
// target's ref, or failed with the error), so a failed target keeps the
// update queued for Retry and a crash loses nothing already done. It fails
// before anything is sent if any target cannot take the update (an
// unmapped component, an unreadable token).
func Publish(ctx context.Context, j *incident.Journal, o PublishOptions) (PublishResult, error) {
	now := nowFunc(o.Now)
	var res PublishResult
	err := withFreshStatus(j, func(entries []incident.Entry, l *StatusLog) error {
		u, targets, err := awaiting(l, o.Targets)
		if err != nil {
			return err
		}
		if o.Seen != nil && (o.Seen.UpdateID != u.ID || o.Seen.DraftSeq != u.DraftSeq) {
			return errors.New("the draft changed since the preview (another session edited it): review it again before publishing")
		}
		p, ups := plan(entries, l, u, targets, now())
		if problems := p.problems(); len(problems) > 0 {
			return fmt.Errorf("nothing was published:\n  %s", strings.Join(problems, "\n  "))
		}
		if o.Confirm != nil && !o.Confirm(p) {
			return ErrNotConfirmed
		}
		jobs := make([]job, 0, len(targets))
		for _, t := range targets {
			jobs = append(jobs, job{target: t, updates: []publish.Update{ups[t.Name()]}})
		}
		res = run(ctx, j, jobs, o.Author, now)
		return nil
	})
	return res, err
}

// Retry publishes every queued update to the targets where it failed, and
// only there: a target that already took an update never gets it twice.
// Per target, queued updates go out oldest first and stop at the first
// failure (a Statuspage incident must exist before it is updated). An
// update superseded on a target by a later published one is not re-sent
// there. Everything is read from the journal, so a restarted sitrep, or
// another session, continues where the last attempt stopped.
func Retry(ctx context.Context, j *incident.Journal, o PublishOptions) (PublishResult, error) {
	now := nowFunc(o.Now)
	var res PublishResult
	err := withFreshStatus(j, func(entries []incident.Entry, l *StatusLog) error {
		queued := l.Queued()
		if len(queued) == 0 {
			return errors.New("nothing to retry: every published update reached every target it was sent to")
		}
		byName := map[string]publish.Target{}
		for _, t := range o.Targets {
			byName[t.Name()] = t
		}
		var jobs []job
		for _, u := range l.Updates { // deterministic order: by update, then target
			for _, name := range u.Failed() {
				if len(queued[name]) == 0 || queued[name][0] != u {
					continue // not this target's first queued update, or superseded
				}
				t, ok := byName[name]
				if !ok {
					for _, q := range queued[name] {
						res.Outcomes = append(res.Outcomes, Outcome{UpdateID: q.ID, Target: name,
							Skipped: "the target is no longer in the config's status: list"})
					}
					continue
				}
				jb := job{target: t}
				var problems []string
				for _, q := range queued[name] {
					p, ups := plan(entries, l, q, []publish.Target{t}, now())
					problems = append(problems, p.problems()...)
					jb.updates = append(jb.updates, ups[name])
				}
				if len(problems) > 0 {
					return fmt.Errorf("nothing was retried:\n  %s", strings.Join(problems, "\n  "))
				}
				jobs = append(jobs, jb)
			}
		}
		res.Outcomes = append(res.Outcomes, run(ctx, j, jobs, o.Author, now).Outcomes...)
		return nil
	})
	return res, err
}

// job is the updates one target publishes, in order.
type job struct {
	target  publish.Target
	updates []publish.Update
}

// run publishes the jobs concurrently (one goroutine per target) and
// journals each result as it arrives. Within a job, a later update uses
// the ref an earlier one just created.
func run(ctx context.Context, j *incident.Journal, jobs []job, author string, now func() time.Time) PublishResult {
	var (
		mu  sync.Mutex
		res PublishResult
		wg  sync.WaitGroup
	)
	for _, jb := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref := ""
			for i, u := range jb.updates {
				if ref != "" && u.Ref == "" {
					u.Ref = ref
				}
				out := publishOne(ctx, j, jb.target, u, author, now)
				if out.Err == nil && out.Ref != "" && ref == "" && u.Ref == "" {
					ref = out.Ref
				}
				mu.Lock()
				res.Outcomes = append(res.Outcomes, out)
				if out.Err != nil {
					for _, rest := range jb.updates[i+1:] {
						res.Outcomes = append(res.Outcomes, Outcome{UpdateID: rest.Data.UpdateID, Target: jb.target.Name(),
							Skipped: "an earlier queued update failed on this target; retry again"})
					}
				}
				mu.Unlock()
				if out.Err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return res
}

// publishOne makes one bounded attempt and journals its result.
func publishOne(ctx context.Context, j *incident.Journal, t publish.Target, u publish.Update, author string, now func() time.Time) (out Outcome) {
	out = Outcome{UpdateID: u.Data.UpdateID, Target: t.Name()}
	tctx, cancel := context.WithTimeout(ctx, t.Timeout())
	defer cancel()
	ref, err := func() (ref string, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("internal error in the %s publisher: %v", t.Provider(), r)
			}
		}()
		return t.Publish(tctx, u)
	}()
	d := u.Data
	d.Target = t.Name()
	if err != nil {
		d.Phase, d.Error = PhaseFailed, sanitize.Line(err.Error())
		out.Err = err
	} else {
		d.Phase, d.TargetRef = PhasePublished, sanitize.Line(ref)
		out.Ref = d.TargetRef
	}
	text := fmt.Sprintf("status %s published to %s", d.State, d.Target)
	if err != nil {
		text = fmt.Sprintf("status %s failed on %s: %s", d.State, d.Target, d.Error)
	}
	if _, jerr := j.Append(incident.Draft{At: now(), Author: authorOr(author), Kind: incident.KindStatus, Text: text, Data: d}); jerr != nil {
		if err == nil {
			// The update is out but the journal does not know: a retry
			// would send it again. Say so plainly.
			out.Err = fmt.Errorf("published (ref %q) but the result could not be journaled: %v; do not retry this target, log it by hand", out.Ref, jerr)
		} else {
			out.Err = fmt.Errorf("%v (and the failure could not be journaled: %v)", err, jerr)
		}
	}
	return out
}

func nowFunc(f func() time.Time) func() time.Time {
	if f == nil {
		return func() time.Time { return time.Now().UTC() }
	}
	return f
}
