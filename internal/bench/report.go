package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

// figure is one row of a table: how to read it from a sample.
type figure struct {
	name string
	prec int
	get  func(sample) (float64, bool)
}

func durFig(name string, f func(sample) time.Duration) figure {
	return figure{name, 1, func(s sample) (float64, bool) { d := f(s); return ms(d), d > 0 }}
}

func laterFig(m marker) figure {
	return figure{m.name + " (ms, where visible)", 1, func(s sample) (float64, bool) {
		d, ok := s.later[m.name]
		return ms(d), ok
	}}
}

func mainFigures(p plan, lite bool) []figure {
	fs := []figure{
		durFig("first frame with data (ms)", func(s sample) time.Duration { return s.firstFrame }),
		durFig("first frame, terminal never answers (ms)", func(s sample) time.Duration { return s.firstFrameSilent }),
		laterFig(healthValue),
		laterFig(rateValue),
	}
	if !lite {
		rss := "RSS after 60 s (MiB)"
		if p.rssAfter == 0 {
			rss = "RSS after the window (MiB)"
		}
		fs = append(fs,
			figure{fmt.Sprintf("idle bytes/s (%s window)", p.window), 0, func(s sample) (float64, bool) { return s.idleBps, true }},
			figure{"CPU % (same window)", 2, func(s sample) (float64, bool) { return s.cpuPct, true }},
			figure{rss, 1, func(s sample) (float64, bool) { return mib(s.rss), s.rss > 0 }},
			figure{"threads", 0, func(s sample) (float64, bool) { return float64(s.threads), s.threads > 0 }},
		)
	}
	return append(fs,
		figure{fmt.Sprintf("key→frame p50 (ms, %d keys)", p.keySamples), 2, func(s sample) (float64, bool) { return percentile(s.keys, 50), len(s.keys) > 0 }},
		figure{fmt.Sprintf("key→frame p99 (ms, %d keys)", p.keySamples), 2, func(s sample) (float64, bool) { return percentile(s.keys, 99), len(s.keys) > 0 }},
		figure{"key→frame max (ms)", 1, func(s sample) (float64, bool) { return percentile(s.keys, 100), len(s.keys) > 0 }},
	)
}

func collect(ss []sample, f figure) spread {
	var out spread
	for _, s := range ss {
		if v, ok := f.get(s); ok {
			out = append(out, v)
		}
	}
	return out
}

// writeMainTable prints one row per figure, a column per size for name
// and, when floor is set, for the floor and the ratio.
func writeMainTable(o options, title string, res results, name, floor string, p plan) {
	fmt.Fprintf(o.out, "### %s\n\n", title)
	head := []string{"figure"}
	for _, sz := range o.sizes {
		head = append(head, fmt.Sprintf("%s %s", name, sz))
		if floor != "" {
			head = append(head, fmt.Sprintf("floor %s", sz), "ratio")
		}
	}
	row(o, head...)
	row(o, strings.Split(strings.Repeat("---,", len(head)), ",")[:len(head)]...)
	for _, f := range mainFigures(p, false) {
		cells := []string{f.name}
		for _, sz := range o.sizes {
			a := collect(res[name][sz], f)
			cells = append(cells, a.cell(f.prec))
			if floor != "" {
				b := collect(res[floor][sz], f)
				cells = append(cells, b.cell(f.prec), ratio(a, b))
			}
		}
		row(o, cells...)
	}
	fmt.Fprintf(o.out, "\nQueries sent to the terminal (a terminal that never answers them):")
	for _, n := range []string{name, floor} {
		if n == "" {
			continue
		}
		q := map[string]bool{}
		for _, sz := range o.sizes {
			for _, s := range res[n][sz] {
				for _, x := range s.queries {
					q[x] = true
				}
			}
		}
		fmt.Fprintf(o.out, " %s: %s.", n, joinKeys(q))
	}
	fmt.Fprintf(o.out, "\n\n")
}

// writeJournalTable compares first frame and keys for two journal sizes.
func writeJournalTable(o options, res results, small, big string) {
	fmt.Fprintf(o.out, "### View cost against journal length\n\n")
	head := []string{"figure"}
	for _, sz := range o.sizes {
		head = append(head, fmt.Sprintf("%s %s", small, sz), fmt.Sprintf("%s %s", big, sz), "ratio")
	}
	row(o, head...)
	row(o, strings.Split(strings.Repeat("---,", len(head)), ",")[:len(head)]...)
	for _, f := range mainFigures(o.plan(), false) {
		cells := []string{f.name}
		for _, sz := range o.sizes {
			a, b := collect(res[small][sz], f), collect(res[big][sz], f)
			cells = append(cells, a.cell(f.prec), b.cell(f.prec), ratio(b, a))
		}
		row(o, cells...)
	}
	fmt.Fprintln(o.out)
}

func row(o options, cells ...string) {
	fmt.Fprintf(o.out, "| %s |\n", strings.Join(cells, " | "))
}

func joinKeys(m map[string]bool) string {
	if len(m) == 0 {
		return "none"
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// machine describes where the figures were taken.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("Machine: %d CPUs (%s), %s %s/%s, %s UTC.", runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format("2006-01-02 15:04"))
}
