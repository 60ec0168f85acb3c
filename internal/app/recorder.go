package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/recorder"
)

// startRecorder journals the sources' state transitions (health, alerts,
// metric thresholds, deploys) into the incident; exactly one sitrep process
// per incident records, the others stand by. It must be called before the
// scheduler runs (it subscribes), and returns a function that waits for it
// to stop after ctx is cancelled.
func startRecorder(ctx context.Context, sched *sources.Scheduler, j *incident.Journal, gap time.Duration, logger *slog.Logger) func() {
	updates := sched.Subscribe()
	rec := recorder.New(j, recorder.Options{
		Author:   "sitrep recorder",
		MinGap:   gap,
		OnError:  func(err error) { logger.Error("recorder: journal write failed", "err", err) },
		OnLeader: func(lead bool) { logger.Info("recorder", "leading", lead) },
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := rec.Run(ctx, updates); err != nil && ctx.Err() == nil {
			logger.Error("recorder stopped", "err", err)
		}
	}()
	return func() { <-done }
}
