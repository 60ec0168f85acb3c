package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/commands/publish"
	"github.com/sitrep-dev/sitrep/incident"
)

// Status updates from the shell (issue #6):
//
//	sitrep status draft [--state S] [--impact I] [--component NAME=STATUS ...] [--title T] [--force] [TEXT | -]
//	sitrep status show
//	sitrep status publish [--yes]
//	sitrep status retry
//
// A draft without TEXT starts from the template for its state; without
// --state it takes the suggested next state. Publishing shows the preview
// and asks on a terminal; scripts pass --yes.
var statusCmd = command{
	name: "status", args: "draft [--state S] [--impact I] [--component NAME=STATUS ...] [--title T] [--force] [TEXT|-] | show | publish [--yes] | retry",
	summary: "draft, preview, publish and retry status-page updates",
	setup: func(fs *flag.FlagSet) RunFunc {
		o := statusOpts{}
		fs.StringVar(&o.state, "state", "", "draft: investigating, identified, monitoring or resolved (default: the suggested next state)")
		fs.StringVar(&o.impact, "impact", "", "draft: none, minor, major or critical")
		fs.StringVar(&o.title, "title", "", "draft: the public incident name (used by the first publish)")
		fs.Var(&o.components, "component", "draft: NAME=STATUS, repeatable (operational, degraded_performance, partial_outage, major_outage, under_maintenance)")
		fs.BoolVar(&o.force, "force", false, "draft: allow a state before the one customers last saw")
		fs.BoolVar(&o.yes, "yes", false, "publish: do not ask for confirmation (for scripts)")
		return func(e *Env, g Globals, args []string) error { return runStatus(e, g, o, args) }
	},
}

type statusOpts struct {
	state, impact, title string
	components           stringList
	force, yes           bool
}

// maxStatusInput bounds a body read from stdin ("-").
const maxStatusInput = 64 << 10

func runStatus(e *Env, g Globals, o statusOpts, args []string) error {
	if len(args) == 0 {
		return usagef("status: say what to do: draft, show, publish or retry")
	}
	action, rest := args[0], args[1:]
	draftOnly := o.state != "" || o.impact != "" || o.title != "" || len(o.components) > 0 || o.force
	switch {
	case action != "draft" && action != "show" && action != "publish" && action != "retry":
		return usagef("status: unknown action %q: use draft, show, publish or retry", action)
	case action != "draft" && len(rest) > 0:
		return usagef("status %s takes no arguments", action)
	case action != "draft" && draftOnly:
		return usagef("--state, --impact, --title, --component and --force are for status draft")
	case action != "publish" && o.yes:
		return usagef("--yes is for status publish")
	}
	j, err := g.Journal(e.Stderr)
	if err != nil {
		return err
	}
	defer j.Close()
	switch action {
	case "draft":
		return statusDraft(e, g, j, o, rest)
	case "show":
		l, err := commands.Show(j)
		if err != nil {
			return err
		}
		fmt.Fprint(e.Stdout, commands.FormatStatus(l))
		return nil
	}
	cfg, err := g.LoadConfig()
	if err != nil {
		return err
	}
	targets, err := publish.Build(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	po := commands.PublishOptions{Targets: targets, Author: g.AuthorName()}
	var res commands.PublishResult
	if action == "retry" {
		res, err = commands.Retry(ctx, j, po)
	} else {
		if !o.yes && !e.IsTTY {
			return usagef("status publish: stdin is not a terminal, so it cannot ask for confirmation: review with `sitrep status show`, then add --yes")
		}
		po.Confirm = func(p commands.Preview) bool {
			fmt.Fprintln(e.Stdout, p.String())
			if o.yes {
				return true
			}
			return askYes(e, fmt.Sprintf("Publish to %d target(s)? [y/N] ", len(p.Targets)))
		}
		res, err = commands.Publish(ctx, j, po)
	}
	if err != nil {
		return err
	}
	printOutcomes(e.Stdout, res)
	return res.Err()
}

func statusDraft(e *Env, g Globals, j *incident.Journal, o statusOpts, args []string) error {
	entries, err := j.Load()
	if err != nil {
		return err
	}
	state := o.state
	if state == "" {
		state = commands.NextState(entries)
	}
	body := strings.Join(args, " ")
	switch {
	case body == "-":
		b, err := readAllLimited(e.Stdin, maxStatusInput)
		if err != nil {
			return fmt.Errorf("read the update from stdin: %w", err)
		}
		body = string(b)
	case strings.TrimSpace(body) == "":
		cfg, err := g.LoadConfig()
		if err != nil {
			return err
		}
		if body, err = commands.Template(cfg.Templates, entries, state, time.Now()); err != nil {
			return err
		}
	}
	do := commands.DraftOptions{State: state, Impact: o.impact, Title: o.title, Body: body, Force: o.force, Author: g.AuthorName()}
	for _, c := range o.components {
		cs, err := commands.ParseComponent(c)
		if err != nil {
			return usagef("--component: %v", err)
		}
		do.Components = append(do.Components, cs)
	}
	entry, d, err := commands.Draft(j, do)
	var back *commands.BackwardsError
	if errors.As(err, &back) && e.IsTTY {
		if !askYes(e, fmt.Sprintf("Customers last saw %q. Go back to %q? [y/N] ", back.From, back.To)) {
			return errors.New("draft not saved")
		}
		do.Force = true
		entry, d, err = commands.Draft(j, do)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "%s\n— %d characters\n", commands.RenderUpdate(d), commands.Chars(d))
	fmt.Fprintf(e.Stdout, "draft %s saved (entry %d); publish it with `sitrep status publish`\n", d.UpdateID, entry.Seq)
	return nil
}

// askYes asks a y/N question on the terminal; anything but y/yes is no.
func askYes(e *Env, question string) bool {
	fmt.Fprint(e.Stdout, question)
	answer, _ := bufio.NewReader(io.LimitReader(e.Stdin, 256)).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(answer))
	return a == "y" || a == "yes"
}

func printOutcomes(w io.Writer, res commands.PublishResult) {
	for _, o := range res.Outcomes {
		switch {
		case o.Skipped != "":
			fmt.Fprintf(w, "  - %s: %s skipped: %s\n", o.Target, o.UpdateID, o.Skipped)
		case o.Err != nil:
			fmt.Fprintf(w, "  ✗ %s: %s FAILED\n", o.Target, o.UpdateID)
		case o.Ref != "":
			fmt.Fprintf(w, "  ✓ %s: %s published (%s)\n", o.Target, o.UpdateID, o.Ref)
		default:
			fmt.Fprintf(w, "  ✓ %s: %s published\n", o.Target, o.UpdateID)
		}
	}
}
