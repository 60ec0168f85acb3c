package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
)

// Sizes of the large world.
const (
	largeMetrics = 50
	largeHealth  = 200
	largeFlags   = 500
)

// world is the loopback servers and files a generated config points at.
type world struct {
	metricsURL, healthURL string
	servers               []*http.Server
	// hung makes every handler hold its request without answering until
	// the client gives up, as a SIGSTOPped server would.
	hung atomic.Bool
}

func (w *world) close() {
	for _, s := range w.servers {
		_ = s.Close()
	}
}

// serve starts h on a fresh 127.0.0.1 port and returns its base URL.
func (w *world) serve(h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listen on 127.0.0.1: %w", err)
	}
	hang := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if w.hung.Load() {
			<-r.Context().Done()
			return
		}
		h.ServeHTTP(rw, r)
	})
	srv := &http.Server{Handler: hang, ReadHeaderTimeout: 5 * time.Second}
	w.servers = append(w.servers, srv)
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String(), nil
}

// startWorld serves one /metrics endpoint with largeMetrics gauges that
// wander every scrape, and largeHealth health endpoints that answer 200.
func startWorld() (*world, error) {
	w := &world{}
	var mu sync.Mutex
	rng := rand.New(rand.NewSource(1))
	vals := make([]float64, largeMetrics)
	for i := range vals {
		vals[i] = 100 + float64(i)
	}
	metrics := http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		var b bytes.Buffer
		for i := range vals {
			vals[i] = max(0, vals[i]+rng.Float64()*4-2)
			fmt.Fprintf(&b, "# TYPE bench_series_%02d gauge\nbench_series_%02d %.3f\n", i, i, vals[i])
		}
		mu.Unlock()
		rw.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = rw.Write(b.Bytes())
	})
	var err error
	if w.metricsURL, err = w.serve(metrics); err != nil {
		return nil, err
	}
	health := http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { _, _ = rw.Write([]byte("ok\n")) })
	if w.healthURL, err = w.serve(health); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

// writeConfig writes a config with the large world's sources; metrics and
// health point at metricsURL/healthURL (the real world or a black hole).
// Metrics refresh every second (the figure the goals are set for); health
// checks every 5 s, as a real fleet of 200 would be.
func writeConfig(dir, metricsURL, healthURL, flagsPath string) (string, error) {
	var b strings.Builder
	b.WriteString("metrics:\n")
	for i := 0; i < largeMetrics; i++ {
		fmt.Fprintf(&b, "  - {name: bench metric %02d, scrape: %s/metrics, series: bench_series_%02d, unit: req/s, interval: 1s, timeout: 800ms}\n", i, metricsURL, i)
	}
	b.WriteString("health:\n")
	for i := 0; i < largeHealth; i++ {
		fmt.Fprintf(&b, "  - {name: check-%03d, url: %s/health/%d, interval: 5s, timeout: 800ms}\n", i, healthURL, i)
	}
	fmt.Fprintf(&b, "flags:\n  - {provider: file, path: %s}\n", flagsPath)
	path := filepath.Join(dir, "sitrep.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// writeFlags writes largeFlags boolean flags in flagd's JSON format.
func writeFlags(dir string) (string, error) {
	type flag struct {
		State          string          `json:"state"`
		Variants       map[string]bool `json:"variants"`
		DefaultVariant string          `json:"defaultVariant"`
	}
	flags := map[string]flag{}
	for i := 0; i < largeFlags; i++ {
		v := "on"
		if i%3 == 0 {
			v = "off"
		}
		flags[fmt.Sprintf("bench-flag-%03d", i)] = flag{State: "ENABLED", Variants: map[string]bool{"on": true, "off": false}, DefaultVariant: v}
	}
	b, err := json.MarshalIndent(map[string]any{"flags": flags}, "", " ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "flags.json")
	return path, os.WriteFile(path, b, 0o600)
}

// makeIncident opens an incident in data with the sitrep binary, grows its
// journal to n entries by appending hash-chained lines, and checks the
// result with `sitrep verify`. Appending through Journal.Append would
// fsync 100k times; the bench only needs a valid file.
func makeIncident(bin, data string, n int) error {
	if out, err := exec.Command(bin, "--data", data, "open", "--sev", "2", "Bench: generated incident").CombinedOutput(); err != nil {
		return fmt.Errorf("sitrep open: %v: %s", err, out)
	}
	j, err := (incident.Store{Dir: data}).OpenCurrent("")
	if err != nil {
		return err
	}
	path := j.Path()
	_ = j.Close()
	if err := appendChained(path, n); err != nil {
		return err
	}
	if out, err := exec.Command(bin, "--data", data, "verify").CombinedOutput(); err != nil {
		return fmt.Errorf("sitrep verify on the generated journal: %v: %s", err, out)
	}
	return nil
}

// appendChained appends entries to the journal at path until it has n,
// each line's prev the SHA-256 of the line before, as incident writes it.
func appendChained(path string, n int) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	entries, _, err := incident.DecodeJournal(old)
	if err != nil || len(entries) == 0 {
		return fmt.Errorf("read the new journal %s: %v (%d entries)", path, err, len(entries))
	}
	lines := bytes.Split(bytes.TrimSuffix(old, []byte("\n")), []byte("\n"))
	prev := incident.HashLine(lines[len(lines)-1])
	last := entries[len(entries)-1]
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	at := last.At
	for seq := last.Seq + 1; seq <= int64(n); seq++ {
		at = at.Add(10 * time.Millisecond)
		e := incident.Entry{Seq: seq, At: at, Author: "bench@host", Kind: incident.KindNote,
			Text: fmt.Sprintf("bench entry %d: db connections climbing on primary; pool at 92%%", seq), Prev: prev}
		line, err := incident.EncodeLine(e)
		if err != nil {
			f.Close()
			return err
		}
		bw.Write(line)
		bw.WriteByte('\n')
		prev = incident.HashLine(line)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
