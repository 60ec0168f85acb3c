// Package app wires sitrep together for the dashboard and the demo: config
// → pollers and scheduler → verbs → the Bubble Tea program. main.go stays
// a list of verbs; the pieces stay ignorant of each other.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/commands/publish"
	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/cli"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/wire"
	"github.com/sitrep-dev/sitrep/ui"
)

// Verbs are the command-line verbs that need the dashboard.
func Verbs() []cli.Extra {
	return []cli.Extra{dashboardVerb, demoVerb}
}

var dashboardVerb = cli.Extra{
	Name: "dashboard", Summary: "open the dashboard for the current incident (the default when no command is given)",
	Setup: func(fs *flag.FlagSet) cli.RunFunc {
		readOnly := fs.Bool("read-only", false, "hide and disable the kill switch and publishing")
		return func(e *cli.Env, g cli.Globals, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected arguments %v (did you mean a command? see sitrep help)", args)
			}
			cfg, err := g.LoadConfig()
			if err != nil {
				return err // printed plainly, before any screen is drawn
			}
			j, err := g.Journal(e.Stderr)
			if err != nil {
				return err
			}
			defer j.Close()
			return Run(context.Background(), Options{Config: cfg, Journal: j, Author: g.AuthorName(), ReadOnly: *readOnly})
		}
	},
}

// Options is one dashboard session.
type Options struct {
	Config   *config.Config
	Journal  *incident.Journal
	Author   string
	ReadOnly bool
	// RecorderGap is the recorder's hysteresis (0: its default, a minute);
	// the demo shortens it with its speed.
	RecorderGap time.Duration
	// Program options for tests (input/output); nil for the real terminal.
	TeaOptions []tea.ProgramOption
}

// Run shows the dashboard until the commander quits.
func Run(ctx context.Context, o Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	logf, err := os.OpenFile(filepath.Join(o.Journal.Dir(), "sitrep.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log file: %w", err)
	}
	defer logf.Close()
	logger := slog.New(slog.NewTextHandler(logf, nil))
	if path := os.Getenv("SITREP_CPUPROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			return err
		}
		defer stop()
	}

	// The change window starts at the incident's start. Finding it scans
	// the journal, so it happens on GitHub's first poll, not before the
	// first frame (and not at all without github:).
	start := sync.OnceValue(func() time.Time {
		t, err := o.Journal.Start()
		if err != nil {
			logger.Error("finding the incident start for the GitHub window", "err", err)
		}
		return t
	})
	pollers, providers, err := wire.All(o.Config, start)
	if err != nil {
		return err
	}
	targets, err := publish.Build(o.Config)
	if err != nil {
		return err
	}
	sched := sources.NewScheduler(pollers, wire.Options(o.Config))
	stopRecorder := startRecorder(ctx, sched, o.Journal, o.RecorderGap, logger)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		_ = sched.Run(ctx)
	}()

	drafts := ui.NewDraftSaver(o.Journal.Dir(), o.Author)
	model := ui.New(ui.Deps{
		Ctx:       ctx,
		Journal:   o.Journal,
		Author:    o.Author,
		Config:    o.Config,
		Pollers:   pollers,
		Snapshots: sched.Updates(),
		Actions: ui.Actions{
			Flags:         &commands.FlagSwitch{Providers: providers, Journal: o.Journal, Author: o.Author},
			StatusTargets: targets,
			Templates:     o.Config.Templates,
		},
		ReadOnly: o.ReadOnly,
		Drafts:   drafts,
		Logger:   logger,
	})
	p := tea.NewProgram(model, append([]tea.ProgramOption{tea.WithContext(ctx)}, o.TeaOptions...)...)

	// A dropped SSH session sends SIGHUP: quit cleanly so the draft saver
	// flushes (it has already written every keystroke it was given).
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		select {
		case <-hup:
			logger.Info("SIGHUP: terminal gone, quitting")
			p.Quit()
		case <-ctx.Done():
		}
	}()

	_, runErr := p.Run()
	if path := os.Getenv("SITREP_MEMPROFILE"); path != "" {
		if err := writeHeapProfile(path); err != nil {
			logger.Error("heap profile", "err", err)
		}
	}
	cancel()
	if err := drafts.Close(); err != nil {
		logger.Error("saving the draft", "err", err)
	}
	stopRecorder()
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		logger.Warn("scheduler did not stop within 2s")
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	return nil
}
