package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/sitrep-dev/sitrep/commands"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// The verbs of issue #2: the incident record.

var openCmd = command{
	name: "open", args: "[--sev 1-5] TITLE", summary: "start an incident and make it current",
	setup: func(fs *flag.FlagSet) RunFunc {
		sev := fs.Int("sev", 3, "severity, 1 (most severe) to 5")
		return func(e *Env, g Globals, args []string) error {
			title := strings.TrimSpace(strings.Join(args, " "))
			if title == "" {
				return usagef("open: give the incident a title, e.g. sitrep open \"API 5xx spike\"")
			}
			s, err := g.Store()
			if err != nil {
				return err
			}
			j, _, err := commands.Open(s, title, *sev, g.AuthorName())
			if err != nil {
				return err
			}
			defer j.Close()
			fmt.Fprintln(e.Stdout, j.ID())
			return nil
		}
	},
}

var logCmd = command{
	name: "log", args: "[--kind K] [--at TIME] TEXT", summary: "append a timeline entry (prints its seq); TEXT - reads stdin",
	setup: func(fs *flag.FlagSet) RunFunc {
		kind := fs.String("kind", "note", "entry kind: note, started, detected, identified, mitigated, resolved, severity, role, action")
		at := fs.String("at", "", "when it happened, for back-filled entries: HH:MM (UTC today) or RFC3339")
		return func(e *Env, g Globals, args []string) error {
			text := strings.Join(args, " ")
			if text == "-" {
				b, err := readAllLimited(e.Stdin, 1<<20)
				if err != nil {
					return err
				}
				text = string(b)
			}
			j, err := g.Journal(e.Stderr)
			if err != nil {
				return err
			}
			defer j.Close()
			entry, err := commands.Log(j, commands.LogOptions{
				Kind: incident.Kind(*kind), At: *at, Text: text, Author: g.AuthorName(),
			})
			if err != nil {
				return err
			}
			fmt.Fprintln(e.Stdout, entry.Seq)
			return nil
		}
	},
}

var timelineCmd = command{
	name: "timeline", args: "[--json] [--follow]", summary: "print the timeline (sorted by time; --follow keeps printing)",
	setup: func(fs *flag.FlagSet) RunFunc {
		asJSON := fs.Bool("json", false, "one JSON object per line")
		follow := fs.Bool("follow", false, "keep printing new entries from any process until interrupted")
		return func(e *Env, g Globals, args []string) error {
			if len(args) > 0 {
				return usagef("timeline takes no arguments")
			}
			j, err := g.Journal(e.Stderr)
			if err != nil {
				return err
			}
			defer j.Close()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			return commands.Timeline(ctx, j, e.Stdout, *asJSON, *follow)
		}
	},
}

var redactCmd = command{
	name: "redact", args: "SEQ --reason R", summary: "hide an entry from views and exports (it stays in the file)",
	setup: func(fs *flag.FlagSet) RunFunc {
		reason := fs.String("reason", "", "why (required; kept in the journal)")
		return func(e *Env, g Globals, args []string) error {
			if len(args) != 1 {
				return usagef("redact: give one entry number, e.g. sitrep redact 12 --reason \"customer email\"")
			}
			seq, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || seq < 1 {
				return usagef("redact: %q is not an entry number", args[0])
			}
			j, err := g.Journal(e.Stderr)
			if err != nil {
				return err
			}
			defer j.Close()
			entry, err := commands.Redact(j, seq, *reason, g.AuthorName())
			if err != nil {
				return err
			}
			fmt.Fprintln(e.Stdout, entry.Seq)
			return nil
		}
	},
}

var verifyCmd = command{
	name: "verify", summary: "check the journal's hash chain; prints the first broken seq and exits 1",
	setup: func(fs *flag.FlagSet) RunFunc {
		return func(e *Env, g Globals, args []string) error {
			j, err := g.Journal(e.Stderr)
			if err != nil {
				return err
			}
			defer j.Close()
			broken, err := j.Verify()
			if err != nil {
				return err
			}
			if broken != nil {
				return fmt.Errorf("%s: chain broken at seq %d (line %d): %s", j.Path(), broken.Seq, broken.Line, broken.Reason)
			}
			entries, err := j.Load()
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "ok: %d entries, hash chain intact (%s)\n", len(entries), j.Path())
			return nil
		}
	},
}

var exportCmd = command{
	name: "export", args: "[--format md|json] [-o FILE] [--github-issue|--github-pr]", summary: "render the postmortem; optionally publish it to GitHub",
	setup: func(fs *flag.FlagSet) RunFunc {
		format := fs.String("format", "md", "md or json")
		out := fs.String("o", "", "write to FILE instead of stdout")
		asIssue := fs.Bool("github-issue", false, "create (or update) a GitHub issue in github.postmortem_repo")
		asPR := fs.Bool("github-pr", false, "commit postmortems/<date>-<slug>.md on a branch and open (or update) a pull request")
		return func(e *Env, g Globals, args []string) error {
			if len(args) > 0 {
				return usagef("export takes no arguments")
			}
			if *asIssue && *asPR {
				return usagef("export: choose --github-issue or --github-pr, not both")
			}
			if (*asIssue || *asPR) && *format == "json" {
				return usagef("export: GitHub gets the Markdown postmortem; drop --format json")
			}
			cfg, err := g.LoadConfig()
			if err != nil {
				return err
			}
			if (*asIssue || *asPR) && cfg.GitHub == nil {
				return errors.New("publishing to GitHub needs a github: section in the config (repos, postmortem_repo, token_env)")
			}
			j, err := g.Journal(e.Stderr)
			if err != nil {
				return err
			}
			defer j.Close()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			data, warning, err := commands.Postmortem(ctx, j, commands.ExportOptions{Format: *format, GitHub: cfg.GitHub})
			if err != nil {
				return err
			}
			if warning != nil {
				fmt.Fprintln(e.Stderr, "sitrep: warning: "+warning.Error())
			}
			switch {
			case *out != "":
				if err := commands.WriteExport(*out, data); err != nil {
					return err
				}
				fmt.Fprintln(e.Stderr, "wrote "+*out)
			case !*asIssue && !*asPR:
				_, err = e.Stdout.Write(data)
				return err
			}
			if !*asIssue && !*asPR {
				return nil
			}
			export := commands.ExportIssue
			if *asPR {
				export = commands.ExportPR
			}
			res, err := export(ctx, j, cfg.GitHub, data, g.AuthorName())
			if err != nil {
				return err
			}
			fmt.Fprintln(e.Stdout, res.String())
			return nil
		}
	},
}

var listCmd = command{
	name: "list", summary: "list incidents (the current one is marked *)",
	setup: func(fs *flag.FlagSet) RunFunc {
		return func(e *Env, g Globals, args []string) error {
			s, err := g.Store()
			if err != nil {
				return err
			}
			ids, err := s.List()
			if err != nil {
				return err
			}
			cur, _ := s.Current()
			for _, id := range ids {
				mark := " "
				if id == cur {
					mark = "*"
				}
				title := ""
				if j, err := s.Open(id); err == nil {
					if entries, err := j.Load(); err == nil {
						r := incident.NewRecord(entries)
						title = fmt.Sprintf("SEV%d %-13s %s", r.Severity, r.Phase(), sanitize.Line(r.Title))
					}
					j.Close()
				}
				fmt.Fprintf(e.Stdout, "%s %s  %s\n", mark, id, title)
			}
			return nil
		}
	},
}

var useCmd = command{
	name: "use", args: "ID", summary: "make another incident current",
	setup: func(fs *flag.FlagSet) RunFunc {
		return func(e *Env, g Globals, args []string) error {
			if len(args) != 1 {
				return usagef("use: give one incident id (see sitrep list)")
			}
			s, err := g.Store()
			if err != nil {
				return err
			}
			j, err := s.Open(args[0])
			if err != nil {
				return err
			}
			j.Close()
			return s.SetCurrent(args[0])
		}
	},
}

var versionCmd = command{
	name: "version", summary: "print the version",
	setup: func(fs *flag.FlagSet) RunFunc {
		return func(e *Env, g Globals, args []string) error {
			fmt.Fprintln(e.Stdout, "sitrep "+Version)
			return nil
		}
	},
}
