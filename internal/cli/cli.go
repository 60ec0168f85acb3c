// Package cli is sitrep's command line: it parses arguments, resolves the
// data directory, config and incident, and calls the verbs in commands/.
// Verbs print results on stdout; errors go to stderr as one line with exit
// code 1, usage mistakes with exit code 2.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = "dev"

// command is one verb of the command line.
type command struct {
	name    string
	args    string // usage after the name, e.g. "[--sev N] TITLE"
	summary string
	// setup registers the verb's own flags (bound to its own variables)
	// and returns the function that runs it once the flags are parsed.
	setup func(fs *flag.FlagSet) RunFunc
}

// RunFunc runs a verb with its positional arguments.
type RunFunc func(e *Env, g Globals, args []string) error

// verbs is the table of commands; `sitrep help` lists them in this order.
// The TUI (no verb) and `demo` are passed in by main.go as Extras because
// they need ui/, which this package must not import.
var verbs = []command{
	openCmd, logCmd, timelineCmd, redactCmd, verifyCmd, exportCmd, listCmd, useCmd, flagCmd, statusCmd, checkCmd, versionCmd,
}

// Env is what a verb may touch: its streams and whether a person is there.
// Tests build one with buffers instead of the real terminal.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// IsTTY reports whether stdin is an interactive terminal (for confirmations).
	IsTTY bool
}

// UsageError is a mistake in how sitrep was called (exit code 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// Extra is a verb defined outside this package (the dashboard, demo).
type Extra struct {
	Name, Args, Summary string
	Setup               func(fs *flag.FlagSet) RunFunc
}

// Globals are the flags every verb accepts.
type Globals struct {
	Data, Incident, Config, Author string
}

// Main runs the command line and returns the process exit code.
func Main(args []string, e *Env, extras ...Extra) int {
	err := run(args, e, extras)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(e.Stderr, "sitrep: "+strings.TrimSpace(err.Error()))
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintln(e.Stderr, "run `sitrep help` for usage")
		return 2
	}
	return 1
}

func run(args []string, e *Env, extras []Extra) error {
	verb := ""
	rest := args
	// The verb is the first argument that is not a global flag or its value.
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			verb, rest = a, append(append([]string{}, args[:i]...), args[i+1:]...)
			break
		}
		if !strings.Contains(a, "=") && takesValue(strings.TrimLeft(a, "-")) {
			i++
		}
	}
	switch verb {
	case "help":
		printHelp(e.Stdout, extras)
		return nil
	case "-h", "--help":
		printHelp(e.Stdout, extras)
		return nil
	}
	all := verbs
	for _, x := range extras {
		all = append(all, command{name: x.Name, args: x.Args, summary: x.Summary, setup: x.Setup})
	}
	for _, c := range all {
		if c.name != verb {
			continue
		}
		var g Globals
		fs := newFlagSet(c.name, &g)
		runVerb := c.setup(fs)
		pos, err := parse(fs, rest)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(e.Stdout, "usage: sitrep %s %s\n\n%s\n\nflags:\n", c.name, c.args, c.summary)
			fs.SetOutput(e.Stdout)
			fs.PrintDefaults()
			return nil
		}
		if err != nil {
			return err
		}
		return runVerb(e, g, pos)
	}
	if verb == "" {
		// No verb: the dashboard, when this build has one.
		for _, x := range extras {
			if x.Name == "dashboard" {
				return run(append([]string{"dashboard"}, args...), e, extras)
			}
		}
		return usagef("no command given")
	}
	return usagef("unknown command %q", verb)
}

// globalValueFlags are the global flags that take a value.
var globalValueFlags = map[string]bool{"data": true, "incident": true, "c": true, "config": true, "author": true}

func takesValue(name string) bool { return globalValueFlags[name] }

func newFlagSet(name string, g *Globals) *flag.FlagSet {
	fs := flag.NewFlagSet("sitrep "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, and printed once by Main
	fs.StringVar(&g.Data, "data", "", "data directory (default $SITREP_DATA, else $XDG_STATE_HOME/sitrep)")
	fs.StringVar(&g.Incident, "incident", "", "incident id (default: the current incident)")
	fs.StringVar(&g.Config, "config", "", "config file (default $SITREP_CONFIG, ./sitrep.yaml, $XDG_CONFIG_HOME/sitrep/config.yaml)")
	fs.StringVar(&g.Config, "c", "", "shorthand for --config")
	fs.StringVar(&g.Author, "author", "", "who is acting (default $USER@host [via ssh from IP])")
	return fs
}

// parse parses flags that may appear anywhere among the positional
// arguments (`sitrep log "text" --kind note` works like the reverse), and
// returns the positional arguments. "--" ends the flags.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var flagArgs, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "h" || name == "help" {
			return nil, flag.ErrHelp
		}
		f := fs.Lookup(name)
		if f == nil {
			return nil, usagef("%s: unknown flag %s", fs.Name(), a)
		}
		flagArgs = append(flagArgs, a)
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); hasValue || (ok && bf.IsBoolFlag()) {
			continue
		}
		if i+1 >= len(args) {
			return nil, usagef("%s: flag %s needs a value", fs.Name(), a)
		}
		i++
		flagArgs = append(flagArgs, args[i])
	}
	if err := fs.Parse(flagArgs); err != nil {
		return nil, usagef("%s: %v", fs.Name(), err)
	}
	return pos, nil
}

// Store resolves the data directory.
func (g Globals) Store() (incident.Store, error) {
	dir, err := incident.DefaultDataDir(g.Data)
	if err != nil {
		return incident.Store{}, err
	}
	return incident.Store{Dir: dir}, nil
}

// Journal opens the selected (or current) incident's journal and reports
// any crash leftovers it repairs on stderr.
func (g Globals) Journal(stderr io.Writer) (*incident.Journal, error) {
	s, err := g.Store()
	if err != nil {
		return nil, err
	}
	j, err := s.OpenCurrent(g.Incident)
	if err != nil {
		return nil, err
	}
	j.OnRecover = func(r incident.Recovery) { fmt.Fprintln(stderr, "sitrep: warning: "+r.String()) }
	if err := j.Check(); err != nil {
		j.Close()
		return nil, err
	}
	return j, nil
}

// AuthorName is --author, else the environment's user@host.
func (g Globals) AuthorName() string {
	if g.Author != "" {
		return g.Author
	}
	return incident.Author()
}

// LoadConfig loads the config (see config.Find).
func (g Globals) LoadConfig() (*config.Config, error) { return config.Load(g.Config) }

// stringList is a repeatable string flag (--component a=b --component c=d).
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func printHelp(w io.Writer, extras []Extra) {
	fmt.Fprintln(w, "sitrep — incident command dashboard and journal")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: sitrep [global flags] [command] [flags] [args]")
	fmt.Fprintln(w)
	type row struct{ name, args, summary string }
	var rows []row
	for _, x := range extras {
		rows = append(rows, row{x.Name, x.Args, x.Summary})
	}
	for _, c := range verbs {
		rows = append(rows, row{c.name, c.args, c.summary})
	}
	const col = 34 // longer usages put their summary on the next line
	for _, r := range rows {
		use := strings.TrimSpace(r.name + " " + r.args)
		if len(use) > col {
			fmt.Fprintf(w, "  %s\n  %-*s  %s\n", use, col, "", r.summary)
			continue
		}
		fmt.Fprintf(w, "  %-*s  %s\n", col, use, r.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "global flags: --data DIR  --incident ID  -c/--config FILE  --author NAME")
}

// stdinIsTTY reports whether f is an interactive terminal.
func stdinIsTTY(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readAllLimited reads r but refuses more than max bytes.
func readAllLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("input is larger than %d bytes", max)
	}
	return b, nil
}

// NewEnv is the Env of the real process.
func NewEnv() *Env {
	return &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, IsTTY: stdinIsTTY(os.Stdin)}
}
