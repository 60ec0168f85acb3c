package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// staleMarker is a pane row of a source that failed, with its age.
var staleMarker = regexp.MustCompile(`stale`)

// hungSample is one hung-sources run at one size.
type hungSample struct {
	staleAfter     time.Duration
	keys           []time.Duration
	rss, threads   []int64 // one reading per second
	staleAgeOnShow bool
}

// runHung points every network source at a server that accepts and never
// answers, then measures: time until "stale" shows, key→frame latency
// while everything hangs, and RSS and threads once a second.
func runHung(o options, bin, work string) (bool, error) {
	w := &world{}
	defer w.close()
	hole, err := w.blackHole()
	if err != nil {
		return false, err
	}
	flagsPath, err := writeFlags(work)
	if err != nil {
		return false, err
	}
	dir := filepath.Join(work, "hung")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	cfg, err := writeConfig(dir, hole, hole, flagsPath)
	if err != nil {
		return false, err
	}
	pristine := filepath.Join(dir, "pristine")
	if err := makeIncident(bin, pristine, 1000); err != nil {
		return false, err
	}
	data := filepath.Join(dir, "data")
	samples := o.plan().keySamples
	ok := true
	fmt.Fprintf(o.out, "### Hung sources: %d metrics and %d health checks on a server that accepts and never answers (interval 1 s, timeout 1 s)\n\n", largeMetrics, largeHealth)
	row(o, "size", "\"stale\" on screen after (ms)", "key→frame p50 / p99 (ms)", fmt.Sprintf("RSS first → last, max (MiB, %s)", o.hangFor()), "threads first → last, max")
	row(o, "---", "---", "---", "---", "---")
	for _, sz := range o.sizes {
		if err := copyTree(pristine, data); err != nil {
			return false, err
		}
		o.logf("hung sources at %s for %s", sz, o.hangFor())
		h, err := hungOnce(bin, cfg, data, sz, samples, o.hangFor())
		if err != nil {
			return false, err
		}
		p50, p99 := percentile(h.keys, 50), percentile(h.keys, 99)
		if p99 > 30 || h.staleAfter > 10*time.Second {
			ok = false
		}
		row(o, sz.String(), fmt.Sprintf("%.0f", ms(h.staleAfter)), fmt.Sprintf("%.2f / %.2f", p50, p99),
			fmt.Sprintf("%.1f → %.1f, %.1f", mib(h.rss[0]), mib(h.rss[len(h.rss)-1]), mib(maxOf(h.rss))),
			fmt.Sprintf("%d → %d, %d", h.threads[0], h.threads[len(h.threads)-1], maxOf(h.threads)))
	}
	fmt.Fprintln(o.out)
	return ok, nil
}

func hungOnce(bin, cfg, data string, sz size, keys int, hang time.Duration) (hungSample, error) {
	var h hungSample
	s, err := startSession([]string{bin, "-c", cfg, "--data", data}, termEnv(), sz.w, sz.h, true)
	if err != nil {
		return h, err
	}
	defer s.stop("q")
	if h.staleAfter, err = s.waitFor(staleMarker, 30*time.Second); err != nil {
		return h, fmt.Errorf("hung sources at %s: %w", sz, err)
	}
	s.forget()
	for i := 0; i < keys; i++ {
		d, err := s.keyLatency(helpKeys[i%2], 2*time.Second)
		if err != nil {
			return h, fmt.Errorf("hung sources at %s, key sample %d: %w", sz, i, err)
		}
		h.keys = append(h.keys, d)
	}
	end := time.Now().Add(hang)
	for {
		st, err := readStatus(s.pid())
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
