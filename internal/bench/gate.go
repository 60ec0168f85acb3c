package main

import (
	"fmt"
	"time"
)

// goal is a figure's published target; the CI gate fails at twice it.
type goal struct {
	name  string
	limit func(size) float64
	get   func(sample) (float64, bool)
	unit  string
}

var goals = []goal{
	{"first frame with data", fixed(100), durGet(func(s sample) time.Duration { return s.firstFrame }), "ms"},
	{"first frame, terminal never answers", fixed(100), durGet(func(s sample) time.Duration { return s.firstFrameSilent }), "ms"},
	{"idle bytes/s", func(sz size) float64 {
		if sz.w >= 200 {
			return 1500
		}
		return 600
	}, func(s sample) (float64, bool) { return s.idleBps, true }, "B/s"},
	{"CPU", fixed(1.5), func(s sample) (float64, bool) { return s.cpuPct, true }, "%"},
	{"RSS", fixed(25), func(s sample) (float64, bool) { return mib(s.rss), s.rss > 0 }, "MiB"},
	{"key→frame p99", fixed(30), func(s sample) (float64, bool) { return percentile(s.keys, 99), len(s.keys) > 0 }, "ms"},
}

func fixed(v float64) func(size) float64 { return func(size) float64 { return v } }

func durGet(f func(sample) time.Duration) func(sample) (float64, bool) {
	return func(s sample) (float64, bool) { d := f(s); return ms(d), d > 0 }
}

// gate checks the median of each figure against 2× its goal and prints a
// line per check; false if any failed or is missing.
func gate(o options, bySize map[size][]sample) bool {
	ok := true
	fmt.Fprintf(o.out, "### Gate (fails above 2× the goal)\n\n")
	for _, sz := range o.sizes {
		for _, g := range goals {
			var vals spread
			for _, s := range bySize[sz] {
				if v, have := g.get(s); have {
					vals = append(vals, v)
				}
			}
			limit := 2 * g.limit(sz)
			verdict := "ok"
			switch {
			case len(vals) == 0:
				verdict, ok = "FAIL (not measured)", false
			case vals.median() > limit:
				verdict, ok = "FAIL", false
			}
			fmt.Fprintf(o.out, "- %s %s: %.2f %s (goal %.4g, limit %.4g): %s\n", sz, g.name, vals.median(), g.unit, g.limit(sz), limit, verdict)
		}
	}
	fmt.Fprintln(o.out)
	return ok
}
