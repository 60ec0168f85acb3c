package cli

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/sources/wire"
)

// sitrep check: the config is validated by loading it (every error with
// file:line:col); then every source is probed once, in parallel, and the
// table printed. Exit 1 when anything failed, so it fits a cron or CI job.
var checkCmd = command{
	name: "check", summary: "validate the config, probe every source once, print a table; exit 1 on failure",
	setup: func(fs *flag.FlagSet) RunFunc {
		return func(e *Env, g Globals, args []string) error {
			if len(args) > 0 {
				return usagef("check takes no arguments")
			}
			cfg, err := g.LoadConfig()
			if err != nil {
				return err
			}
			pollers, _, err := wire.All(cfg, nil)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			_, err = commands.Check(ctx, pollers, e.Stdout)
			return err
		}
	},
}
