package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/sitrep-dev/sitrep/internal/bench/term"
)

// staleMarker is a pane row of a source that failed after having data:
// "stale <age>".
var staleMarker = regexp.MustCompile(`stale [0-9]+[smh]`)

// hungSample is one hung-sources run at one size.
type hungSample struct {
	staleAfter   time.Duration // from the moment the servers hung
	keys         []time.Duration
	rss, threads []int64 // one reading per second
}

// runHung starts the large world, lets the dashboard show its data, then
// makes every server hold requests without answering, and measures: time
// until "stale <age>" shows, key→frame latency while everything hangs,
// and RSS and threads once a second.
func runHung(o options, bin, work string) (bool, error) {
	w, err := startWorld()
	if err != nil {
		return false, err
	}
	defer w.close()
	dir := filepath.Join(work, "hung")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	flagsPath, err := writeFlags(dir)
	if err != nil {
		return false, err
	}
	cfg, err := writeConfig(dir, w.metricsURL, w.healthURL, flagsPath)
	if err != nil {
		return false, err
	}
	pristine := filepath.Join(dir, "pristine")
	if err := makeIncident(bin, pristine, 1000); err != nil {
		return false, err
	}
	data := filepath.Join(dir, "data")
	ok := true
	var verdicts []verdict
	fmt.Fprintf(o.out, "### Hung sources: the %d metrics' and %d health checks' servers stop answering (metrics every 1 s, timeout 800 ms)\n\n", largeMetrics, largeHealth)
	row(o, "size", "\"stale <age>\" on screen after the hang began (ms)", "key→frame p50 / p99 during the hang (ms)",
		fmt.Sprintf("RSS first → last, max over %s (MiB)", o.hangFor()), "threads first → last, max")
	row(o, "---", "---", "---", "---", "---")
	for _, sz := range o.sizes {
		if err := copyTree(pristine, data); err != nil {
			return false, err
		}
		o.logf("hung sources at %s for %s", sz, o.hangFor())
		h, err := hungOnce(w, bin, cfg, data, sz, o.plan().keySamples, o.hangFor())
		w.hung.Store(false)
		if err != nil {
			return false, err
		}
		p50, p99 := percentile(h.keys, 50), percentile(h.keys, 99)
		verdicts = append(verdicts, hungVerdicts(sz, h, p99)...)
		row(o, sz.String(), fmt.Sprintf("%.0f", ms(h.staleAfter)), fmt.Sprintf("%.2f / %.2f", p50, p99),
			fmt.Sprintf("%.1f → %.1f, %.1f", mib(h.rss[0]), mib(h.rss[len(h.rss)-1]), mib(maxOf(h.rss))),
			fmt.Sprintf("%d → %d, %d", h.threads[0], h.threads[len(h.threads)-1], maxOf(h.threads)))
	}
	fmt.Fprintln(o.out)
	if o.gate {
		fmt.Fprintf(o.out, "Hung-sources gate (fails above 2× the goal):\n\n")
		for _, v := range verdicts {
			fmt.Fprintln(o.out, "- "+v.line)
			ok = ok && v.ok
		}
		fmt.Fprintln(o.out)
	}
	return ok, nil
}

type verdict struct {
	line string
	ok   bool
}

// staleGoal is how soon a hung metric must show as stale: its interval
// plus its timeout.
const staleGoal = time.Second + 800*time.Millisecond

func hungVerdicts(sz size, h hungSample, p99 float64) []verdict {
	check := func(name string, v, goal float64, unit string) verdict {
		ok := v <= 2*goal
		word := "ok"
		if !ok {
			word = "FAIL"
		}
		return verdict{fmt.Sprintf("%s %s: %.2f %s (goal %.4g, limit %.4g): %s", sz, name, v, unit, goal, 2*goal, word), ok}
	}
	growth := mib(h.rss[len(h.rss)-1] - h.rss[0])
	return []verdict{
		check("key→frame p99 while hung", p99, 30, "ms"),
		check("stale shown after", ms(h.staleAfter), ms(staleGoal), "ms"),
		// Flat: the goal allows no growth; 5 MiB is the noise of a GC cycle.
		check("RSS growth over the hang", growth, 5, "MiB"),
		check("thread growth over the hang", float64(h.threads[len(h.threads)-1]-h.threads[0]), 2, "threads"),
	}
}

func hungOnce(w *world, bin, cfg, data string, sz size, keys int, hang time.Duration) (hungSample, error) {
	var h hungSample
	s, err := term.Start([]string{bin, "-c", cfg, "--data", data}, termEnv(), sz.w, sz.h, true)
	if err != nil {
		return h, err
	}
	defer s.Stop("q")
	if _, err := s.WaitFor(generatedEntry, 30*time.Second); err != nil {
		return h, fmt.Errorf("hung sources at %s: %w", sz, err)
	}
	// At 80x24 only the focused pane shows (the timeline); tab brings the
	// Metrics pane, whose rows carry the values and then the staleness.
	if err := s.Type("\t"); err != nil {
		return h, err
	}
	if _, err := s.WaitFor(rateValue.re, 10*time.Second); err != nil {
		return h, fmt.Errorf("hung sources at %s, before the hang: %w", sz, err)
	}
	s.Forget()
	w.hung.Store(true)
	t0 := time.Now()
	at, err := s.WaitFor(staleMarker, 30*time.Second)
	if err != nil {
		return h, fmt.Errorf("hung sources at %s: %w", sz, err)
	}
	h.staleAfter = s.Started().Add(at).Sub(t0)
	s.Forget()
	for i := 0; i < keys; i++ {
		d, err := s.KeyLatency(helpKeys[i%2], 2*time.Second)
		if err != nil {
			return h, fmt.Errorf("hung sources at %s, key sample %d: %w", sz, i, err)
		}
		h.keys = append(h.keys, d)
	}
	end := time.Now().Add(hang)
	for {
		st, err := readStatus(s.PID())
		if err != nil {
			return h, err
		}
		h.rss = append(h.rss, st.RSS)
		h.threads = append(h.threads, int64(st.Threads))
		if time.Now().After(end) {
			return h, nil
		}
		time.Sleep(time.Second)
	}
}

func maxOf(v []int64) int64 {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
