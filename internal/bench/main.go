// Command bench measures sitrep end to end on a pseudo-terminal, next to
// the Bubble Tea floor program, and prints Markdown tables:
//
//	go run ./internal/bench [-runs 5] [-scale default|large] [-short] [-hung] [-gate]
//
// Every figure is the median of the runs with min–max. sitrep and the
// floor are interleaved per run so a noisy shared machine hurts both alike.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

type options struct {
	runs   int
	scale  string
	short  bool
	hung   bool
	gate   bool
	floor  string
	keys   int
	work   string
	sizes  []size
	out    io.Writer
	status io.Writer
}

type size struct{ w, h int }

func (s size) String() string { return fmt.Sprintf("%dx%d", s.w, s.h) }

func main() {
	o := options{out: os.Stdout, status: os.Stderr, sizes: []size{{80, 24}, {200, 50}}}
	flag.IntVar(&o.runs, "runs", 5, "runs per program and size (each figure is their median with min–max)")
	flag.StringVar(&o.scale, "scale", "default", "default (the demo) | large (50 metrics, 200 health checks, 500 flags, 100k journal entries) | both | none (with -hung: only the hung sources)")
	flag.BoolVar(&o.short, "short", false, "short windows for CI: 3 s idle, 30 key samples, RSS after the window, best of 2 first frames, 15 s hang")
	flag.BoolVar(&o.hung, "hung", false, "also run the hung-sources scenario (every source on a server that never answers)")
	flag.BoolVar(&o.gate, "gate", false, "exit 1 if a sitrep figure at default scale is worse than 2× its goal")
	flag.StringVar(&o.floor, "floor", "/work/shared/bench/bt-baseline", "source of the Bubble Tea floor program (\"\" to skip it)")
	flag.StringVar(&o.work, "work", "", "parent of the scratch directory (default: the system temp dir)")
	keyPair := flag.String("key-pair", "?,?", "the two keys alternated for key→frame latency in sitrep (default: open and close the help dialog)")
	keys := flag.Int("keys", 0, "key samples per run (default 100, -short 30)")
	sizes := flag.String("sizes", "80x24,200x50", "terminal sizes, comma-separated")
	flag.Parse()
	parsed, err := parseSizes(*sizes)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	o.sizes, o.keys = parsed, *keys
	if kp := strings.Split(*keyPair, ","); len(kp) == 2 && kp[0] != "" && kp[1] != "" {
		helpKeys = kp
	} else {
		fmt.Fprintf(os.Stderr, "bench: -key-pair %q: want two keys separated by a comma, like j,k\n", *keyPair)
		os.Exit(2)
	}
	if flag.NArg() > 0 || o.runs < 1 || !map[string]bool{"default": true, "large": true, "both": true, "none": true}[o.scale] {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/bench [-runs N] [-scale default|large|both|none] [-short] [-hung] [-gate] [-floor DIR]")
		os.Exit(2)
	}
	ok, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// parseSizes reads "80x24,200x50".
func parseSizes(s string) ([]size, error) {
	var out []size
	for _, f := range strings.Split(s, ",") {
		var sz size
		if n, err := fmt.Sscanf(strings.TrimSpace(f), "%dx%d", &sz.w, &sz.h); err != nil || n != 2 || sz.w < 20 || sz.h < 10 || sz.w > 1000 || sz.h > 500 {
			return nil, fmt.Errorf("size %q: want COLSxROWS like 80x24 (20x10 to 1000x500)", f)
		}
		out = append(out, sz)
	}
	return out, nil
}

func (o options) plan() plan {
	p := plan{settle: 2 * time.Second, window: 10 * time.Second, rssAfter: 60 * time.Second, keySamples: 100, frameTries: 1, timeout: 20 * time.Second}
	if o.short {
		p = plan{settle: time.Second, window: 3 * time.Second, keySamples: 30, frameTries: 2, timeout: 20 * time.Second}
	}
	if o.keys > 0 {
		p.keySamples = o.keys
	}
	return p
}

func (o options) hangFor() time.Duration {
	if o.short {
		return 15 * time.Second
	}
	return 60 * time.Second
}

func (o options) logf(format string, a ...any) {
	fmt.Fprintf(o.status, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
}
