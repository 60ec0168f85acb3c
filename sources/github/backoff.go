package github

import (
	"errors"
	"fmt"
	"time"

	"github.com/sitrep-dev/sitrep/internal/gh"
)

// reserve is budget left for the commander's own actions (export an issue
// or a PR, post a status comment: a handful of requests each), which must
// not be starved by polling.
const reserve = 25

// lowWater is where backoff starts: below a tenth of the limit, or below
// this many requests on a small (anonymous, 60/h) limit.
const lowWater = 100

// backoff decides the next interval from the last known rate limit, the
// requests the last poll actually paid for, and its error. share is how
// many pollers spend the same token's budget. note is "" unless the pane
// should say why polling slowed down.
func backoff(base time.Duration, rate gh.Rate, stats *gh.Stats, share int, err error, now time.Time) (next time.Duration, note string) {
	var ge *gh.Error
	if errors.As(err, &ge) && ge.RateLimited && ge.Reset.After(now) {
		wait := max(base, ge.Reset.Sub(now)+time.Second)
		return wait, fmt.Sprintf("GitHub rate limit exhausted: polling resumes at %s", ge.Reset.UTC().Format("15:04 UTC"))
	}
	if !rate.Known() || rate.Remaining >= max(lowWater, rate.Limit/10) {
		return base, ""
	}
	untilReset := rate.Reset.Sub(now)
	if untilReset <= 0 {
		return base, ""
	}
	perPoll := int64(1)
	if stats != nil {
		perPoll = max(1, stats.Requests()-stats.NotModified())
	}
	polls := int64(rate.Remaining-reserve) / (perPoll * int64(max(share, 1)))
	if polls <= 0 {
		next = untilReset + time.Second
	} else {
		next = max(base, untilReset/time.Duration(polls))
	}
	next = next.Round(time.Second)
	return next, fmt.Sprintf("GitHub rate limit low (%d/%d left until %s): polling every %s",
		rate.Remaining, rate.Limit, rate.Reset.UTC().Format("15:04 UTC"), next)
}
