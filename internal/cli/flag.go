package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/flags"
	"github.com/sitrep-dev/sitrep/sources/metric"
	"github.com/sitrep-dev/sitrep/sources/wire"
)

// The kill switch from the shell (issue #4):
//
//	sitrep flag list [--json]
//	sitrep flag off NAME [--reason R] [--drop-targeting] [--yes] [--dry-run] [--provider P]
//	sitrep flag on NAME ...
//	sitrep flag restore NAME ...
//
// On a terminal the commander confirms by typing the flag's key; scripts
// pass --yes. --dry-run prints the preview and stops: nothing is changed
// and nothing is journaled, because the journal records what was done to
// the world, and its "flags changed" section must not list rehearsals.
var flagCmd = command{
	name: "flag", args: "list [--json] | off|on|restore NAME [--reason R] [--yes] [--dry-run] [--drop-targeting] [--provider P]",
	summary: "read flags / kill-switch a flag (confirms on a TTY; --yes otherwise)",
	setup: func(fs *flag.FlagSet) RunFunc {
		o := flagOpts{}
		fs.BoolVar(&o.json, "json", false, "list: print JSON")
		fs.BoolVar(&o.yes, "yes", false, "do not ask for confirmation (for scripts)")
		fs.BoolVar(&o.dryRun, "dry-run", false, "print the preview and stop: nothing is changed or journaled")
		fs.BoolVar(&o.dropTargeting, "drop-targeting", false, "file flags: also remove targeting rules (kept in the journal for restore)")
		fs.StringVar(&o.reason, "reason", "", "why, for the journal (and LaunchDarkly's audit log)")
		fs.StringVar(&o.provider, "provider", "", "the configured provider's name, when several have the flag")
		return func(e *Env, g Globals, args []string) error { return runFlag(e, g, o, args) }
	},
}

type flagOpts struct {
	json, yes, dryRun, dropTargeting bool
	reason, provider                 string
}

func runFlag(e *Env, g Globals, o flagOpts, args []string) error {
	if len(args) == 0 {
		return usagef("flag: say what to do: list, off NAME, on NAME or restore NAME")
	}
	action, rest := args[0], args[1:]
	switch action {
	case "list":
		if len(rest) > 0 {
			return usagef("flag list takes no arguments")
		}
	case commands.FlagOff, commands.FlagOn, commands.FlagRestore:
		if len(rest) != 1 {
			return usagef("flag %s: name one flag (its key, or provider/key)", action)
		}
		if o.json {
			return usagef("--json is for flag list")
		}
	default:
		return usagef("flag: unknown action %q: use list, off, on or restore", action)
	}
	cfg, err := g.LoadConfig()
	if err != nil {
		return err
	}
	ps, err := flags.Build(cfg.Flags)
	if err != nil {
		return err
	}
	sw := &commands.FlagSwitch{Providers: ps, Author: g.AuthorName()}
	// The journal is needed to change a flag (and to restore one); list
	// and dry runs work without an incident.
	j, err := g.Journal(e.Stderr)
	switch {
	case err == nil:
		defer j.Close()
		sw.Journal = j
	case action == "list" || (o.dryRun && action != commands.FlagRestore):
	default:
		return fmt.Errorf("%w (every flag change is journaled)", err)
	}
	if action == "list" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer stop()
		return listFlags(ctx, e, sw, o.json)
	}
	// Ctrl-C before the confirmation ends the process (nothing changed);
	// after it, Ctrl-C only cuts verification short: the change and its
	// journal entry are still completed.
	return changeFlag(context.Background(), e, sw, cfg, o, action, rest[0])
}

func listFlags(ctx context.Context, e *Env, sw *commands.FlagSwitch, asJSON bool) error {
	if len(sw.Providers) == 0 {
		return errors.New("no flag providers are configured: add a `flags:` section to the config")
	}
	fs, errs := sw.ListFlags(ctx)
	if asJSON {
		if fs == nil {
			fs = []flags.Flag{}
		}
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(fs); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PROVIDER\tFLAG\tENV\tSTATE\tLAST CHANGE")
		for _, f := range fs {
			last := "-"
			if !f.LastChange.IsZero() {
				last = f.LastChange.UTC().Format("2006-01-02 15:04:05Z")
			}
			env := f.Env
			if env == "" {
				env = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Source, f.Key, env, f.State, last)
		}
		tw.Flush()
	}
	for _, err := range errs {
		fmt.Fprintln(e.Stderr, "sitrep: "+err.Error())
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d flag provider(s) could not be read", len(errs), len(sw.Providers))
	}
	return nil
}

func changeFlag(ctx context.Context, e *Env, sw *commands.FlagSwitch, cfg *config.Config, o flagOpts, action, name string) error {
	pv, err := sw.Preview(ctx, commands.FlagRequest{Name: name, Provider: o.provider, Action: action,
		Reason: o.reason, DropTargeting: o.dropTargeting})
	if err != nil {
		return err
	}
	for _, l := range pv.Lines() {
		fmt.Fprintln(e.Stdout, l)
	}
	switch {
	case pv.NoOp:
		return nil
	case o.dryRun:
		fmt.Fprintln(e.Stdout, "dry run: nothing changed, nothing journaled")
		return nil
	case !o.yes:
		if !e.IsTTY {
			return usagef("flag %s: stdin is not a terminal, so it cannot ask for confirmation: add --yes to %s %s", action, action, pv.Key)
		}
		fmt.Fprintf(e.Stdout, "type the flag key (%s) to confirm: ", pv.Key)
		typed, err := bufio.NewReader(io.LimitReader(e.Stdin, 4096)).ReadString('\n')
		if err != nil && typed == "" {
			return errors.New("no confirmation read: nothing changed")
		}
		if !commands.ConfirmFlag(typed, pv.Key) {
			return fmt.Errorf("typed %q, not %q: nothing changed", strings.TrimSpace(typed), pv.Key)
		}
	}
	sw.Progress = func(step string) { fmt.Fprintln(e.Stderr, step+"…") }
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	out, err := sw.Apply(ctx, pv, probeEvidence(ctx, cfg))
	if err != nil {
		if out.Entry.Seq > 0 {
			return fmt.Errorf("%w (journaled as failed: entry %d)", err, out.Entry.Seq)
		}
		return err
	}
	for _, n := range out.Notes {
		fmt.Fprintln(e.Stdout, "  "+n)
	}
	if !out.Data.Verified {
		fmt.Fprintf(e.Stderr, "sitrep: warning: the change was applied but NOT verified within the deadline; check %s/%s\n", pv.Source, pv.Key)
	}
	fmt.Fprintf(e.Stdout, "%s (entry %d)\n", out.Entry.Text, out.Entry.Seq)
	return nil
}

// probeEvidence returns the evidence function for a kill from the shell:
// every configured metric polled once, at the moment of the change.
// Metrics without a number yet (a counter's first scrape) are left out.
func probeEvidence(ctx context.Context, cfg *config.Config) func() []incident.MetricReading {
	pollers, _ := wire.Pollers(cfg)
	var ms []sources.Poller
	for _, p := range pollers {
		if p.Kind() == sources.KindMetric {
			ms = append(ms, p)
		}
	}
	if len(ms) == 0 {
		return nil
	}
	return func() []incident.MetricReading {
		got := make([]*incident.MetricReading, len(ms))
		var wg sync.WaitGroup
		for i, p := range ms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				limit := p.Timeout()
				if limit <= 0 || limit > 5*time.Second {
					limit = 5 * time.Second
				}
				c, cancel := context.WithTimeout(ctx, limit)
				defer cancel()
				v, err := p.Poll(c)
				mv, ok := v.(metric.Value)
				if err != nil || !ok || math.IsNaN(mv.Current) || math.IsInf(mv.Current, 0) {
					return
				}
				got[i] = &incident.MetricReading{Name: mv.Name, Value: mv.Current, Unit: mv.Unit, State: string(mv.State)}
			}()
		}
		wg.Wait()
		var out []incident.MetricReading
		for _, r := range got {
			if r != nil {
				out = append(out, *r)
			}
		}
		return out
	}
}
