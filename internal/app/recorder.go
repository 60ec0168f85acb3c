package app

import (
	"context"
	"log/slog"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
)

// startRecorder journals state transitions; see sources/recorder. It
// returns a function that waits for it to stop.
func startRecorder(ctx context.Context, sched *sources.Scheduler, j *incident.Journal, logger *slog.Logger) func() {
	return func() {}
}
