package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

var (
	helpKeys      = []string{"?", "?"} // opens the help dialog; any key closes it
	journalMarker = regexp.MustCompile(`Incident opened`)
	// generatedEntry is a row of the generated journals.
	generatedEntry = regexp.MustCompile(`bench entry \d+`)
	healthValue    = marker{"first health result", regexp.MustCompile(`up +[0-9.]+(µs|ms)`)}
	rateValue      = marker{"first req/s value", regexp.MustCompile(`[0-9][0-9.]* req/s`)}
)

// results are the samples per target and size.
type results map[string]map[size][]sample

func (r results) add(t string, sz size, s sample) {
	if r[t] == nil {
		r[t] = map[size][]sample{}
	}
	r[t][sz] = append(r[t][sz], s)
}

func run(o options) (bool, error) {
	work, err := os.MkdirTemp(o.work, "sitrep-bench-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(work)
	o.logf("building sitrep and the floor in %s", work)
	bin, err := buildSitrep(work)
	if err != nil {
		return false, err
	}
	var floor *target
	if o.floor != "" {
		fb, err := buildFloor(o.floor, work)
		if err != nil {
			// The floor is a reference, not what is gated: go on without it.
			o.logf("no floor program, sitrep alone: %v", err)
		} else {
			floor = &target{name: "floor", argv: []string{fb}, env: termEnv(), marker: regexp.MustCompile(`tick: \d`), quit: "q"}
		}
	}
	p := o.plan()
	ok := true
	fmt.Fprintf(o.out, "%s\n\n", machine())
	if o.scale == "default" || o.scale == "both" {
		demoData := filepath.Join(work, "demo-data")
		demo := target{name: "sitrep", argv: []string{bin, "--data", demoData, "demo"}, env: termEnv(),
			marker: journalMarker, later: []marker{healthValue, rateValue}, keys: helpKeys, quit: "q",
			prepare: func() error { return os.RemoveAll(demoData) }}
		ts := []target{demo}
		if floor != nil {
			ts = append(ts, *floor)
		}
		res, err := matrix(o, ts, p)
		if err != nil {
			return false, err
		}
		writeMainTable(o, "Default scale: `sitrep demo` vs the Bubble Tea floor", res, "sitrep", floorName(floor), p)
		if o.gate {
			ok = gate(o, res["sitrep"]) && ok
		}
	}
	if o.scale == "large" || o.scale == "both" {
		if err := runLarge(o, bin, work, p); err != nil {
			return false, err
		}
	}
	if o.hung {
		hok, err := runHung(o, bin, work)
		if err != nil {
			return false, err
		}
		ok = ok && hok
	}
	return ok, nil
}

func floorName(f *target) string {
	if f == nil {
		return ""
	}
	return f.name
}

// matrix runs every target at every size, runs times, interleaved: one
// run of each per round.
func matrix(o options, ts []target, p plan) (results, error) {
	res := results{}
	for i := 1; i <= o.runs; i++ {
		for _, sz := range o.sizes {
			for _, t := range ts {
				o.logf("run %d/%d %s %s", i, o.runs, t.name, sz)
				s, err := measure(t, sz.w, sz.h, p)
				if err != nil {
					return nil, err
				}
				o.logf("  first frame %.1f ms (silent terminal %.1f ms), idle %.0f B/s, CPU %.2f %%, RSS %.1f MiB, key p50/p99/max %.1f/%.1f/%.1f ms",
					ms(s.firstFrame), ms(s.firstFrameSilent), s.idleBps, s.cpuPct, mib(s.rss), percentile(s.keys, 50), percentile(s.keys, 99), percentile(s.keys, 100))
				for k, d := range s.keys {
					if d > 100*time.Millisecond {
						o.logf("  slow key: sample %d (key %q) took %.1f ms", k, t.keys[k%len(t.keys)], ms(d))
					}
				}
				res.add(t.name, sz, s)
			}
		}
	}
	return res, nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// runLarge measures sitrep on the generated large world, with a 100k and a
// 1k journal (the latter for first frame and keys only: view cost must not
// grow with the journal).
func runLarge(o options, bin, work string, p plan) error {
	o.logf("generating the large world (50 metrics, 200 health checks, 500 flags, 1k and 100k journals)")
	w, err := startWorld()
	if err != nil {
		return err
	}
	defer w.close()
	flagsPath, err := writeFlags(work)
	if err != nil {
		return err
	}
	cfg, err := writeConfig(work, w.metricsURL, w.healthURL, flagsPath)
	if err != nil {
		return err
	}
	t0 := time.Now()
	var ts []target
	for _, n := range []int{100_000, 1_000} {
		pristine := filepath.Join(work, fmt.Sprintf("journal-%d", n))
		if err := makeIncident(bin, pristine, n); err != nil {
			return err
		}
		data := pristine + "-run"
		name := fmt.Sprintf("sitrep %dk", n/1000)
		ts = append(ts, target{name: name, argv: []string{bin, "-c", cfg, "--data", data}, env: termEnv(),
			marker: generatedEntry, later: []marker{healthValue, rateValue}, keys: helpKeys, quit: "q",
			lite: n < 100_000, prepare: func() error { return copyTree(pristine, data) }})
	}
	o.logf("journals written and verified in %s", time.Since(t0).Round(time.Millisecond))
	res, err := matrix(o, ts, p)
	if err != nil {
		return err
	}
	writeMainTable(o, "Large scale: 50 metrics, 200 health checks, 500 flags, 100k-entry journal", res, "sitrep 100k", "", p)
	writeJournalTable(o, res, "sitrep 1k", "sitrep 100k")
	return nil
}
