package github

import (
	"context"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/gh/ghtest"
	"github.com/sitrep-dev/sitrep/sources"
)

// TestRunsUnderTheScheduler wires the poller into sources.Scheduler, as the
// dashboard does: the snapshot is a Changes snapshot whose Value is the
// contract type, and a failing repo is a stale snapshot, not a crash.
func TestRunsUnderTheScheduler(t *testing.T) {
	srv := ghtest.New(t, token, "org/svc")
	start := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Second)
	seed(srv, start)
	good := newPoller(t, srv, start, "org/svc")
	bad := newPoller(t, srv, start, "org/gone")
	s := sources.NewScheduler([]sources.Poller{good, bad}, sources.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	seen := map[string]sources.Snapshot{}
	for len(seen) < 2 {
		select {
		case snap := <-s.Updates():
			seen[snap.ID] = snap
		case <-ctx.Done():
			t.Fatalf("only %d snapshots before the deadline", len(seen))
		}
	}
	cancel()
	<-done

	g := seen["github/org/svc"]
	cs, ok := g.Value.([]incident.ChangeData)
	if g.Kind != sources.KindChanges || g.Err != nil || !ok || len(cs) != 4 {
		t.Errorf("good snapshot: kind %s err %v value %T len %d", g.Kind, g.Err, g.Value, len(cs))
	}
	b := seen["github/org/gone"]
	if b.Err == nil || b.Err.Error() != "repo org/gone not found or token lacks access (404) while trying to list deployments" || !b.Stale() {
		t.Errorf("bad snapshot err = %v", b.Err)
	}
}
