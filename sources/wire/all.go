package wire

import (
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/internal/gh"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/flags"
	"github.com/sitrep-dev/sitrep/sources/github"
)

// All returns every poller the config describes — Pollers, then one per
// flag provider, then one per GitHub repository — and the flag providers
// themselves (the kill switch needs them). start is the incident's start
// for GitHub's change window (nil or a zero time: now).
func All(cfg *config.Config, start func() time.Time) ([]sources.Poller, []flags.Provider, error) {
	pollers, err := Pollers(cfg)
	if err != nil {
		return nil, nil, err
	}
	providers, err := flags.Build(cfg.Flags)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range providers {
		pollers = append(pollers, flags.Poller(p))
	}
	if cfg.GitHub != nil {
		if start == nil {
			start = func() time.Time { return time.Time{} }
		}
		gp, err := github.New(cfg.GitHub, start, gh.WithMaxBody(cfg.Sources.MaxBody))
		if err != nil {
			return nil, nil, err
		}
		for _, p := range gp {
			pollers = append(pollers, p)
		}
	}
	return pollers, providers, nil
}

// Options are the scheduler options the config sets.
func Options(cfg *config.Config) sources.Options {
	return sources.Options{Concurrency: cfg.Sources.Concurrency}
}
