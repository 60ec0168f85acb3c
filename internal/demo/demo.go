// Package demo is the world behind `sitrep demo`: a small simulated API
// running in-process on 127.0.0.1 that tells the story of the seeds — a
// feature flag ("async-writes") rolls out, its code path leaks database
// connections, the pool saturates, latency and errors climb, health checks
// and alerts go red — and that recovers for real when the flag is switched
// off in its flagd flags file.
//
// Everything is real at the protocol level, so sitrep runs against it
// through its ordinary code paths: a client_golang /metrics endpoint, HTTP
// health endpoints, a TCP listener, a flagd-format flags file the service
// re-reads like flagd does, an OFREP endpoint answering from what the
// service last loaded, and an Alertmanager API v2 /api/v2/alerts.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/internal/fsutil"
)

// Options tune a World.
type Options struct {
	// Speed runs the story faster than real time: 10 makes the incident
	// build up and recover ten times faster. 0 means 1; at most MaxSpeed.
	// Request rates stay per real second whatever the speed.
	Speed float64
	// Dir holds the flags file (flags.json, overwritten at start). Empty:
	// a temporary directory, removed by Close.
	Dir string
	// Seed makes the noise reproducible; 0 picks the fixed default seed 1.
	Seed uint64
}

// MaxSpeed bounds Options.Speed: beyond it one real tick (minPeriod) would
// be seconds of story, and the whole incident would pass between two polls.
const MaxSpeed = 100

const (
	storyTick = 100 * time.Millisecond // simulation step, in story time
	flagPoll  = 200 * time.Millisecond // how often the service re-reads the flags file, in story time
	minPeriod = 20 * time.Millisecond  // bounds CPU at high speeds; story steps are measured, so they just get longer
)

// World is a running demo. Its methods are safe for concurrent use.
type World struct {
	speed     float64
	dir       string
	ownDir    bool
	flagsPath string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once

	api, flagd, am net.Listener // HTTP listeners
	tcp            net.Listener // the plain TCP check target
	servers        []*http.Server

	metrics *serviceMetrics
	cfg     *config.Config
	cfgYAML []byte

	mu       sync.RWMutex
	st       state
	flags    *flagSet
	rawFlags []byte
	flagErr  error
	alerts   *alerter
}

// Start builds the world and starts serving. It stops when ctx is done or
// Close is called; Close must still be called to release the temporary
// directory.
func Start(ctx context.Context, opts Options) (*World, error) {
	speed := opts.Speed
	if speed == 0 {
		speed = 1
	}
	if math.IsNaN(speed) || speed < 0 || speed > MaxSpeed {
		return nil, fmt.Errorf("demo speed %g is out of range: use a number above 0 and at most %d", opts.Speed, MaxSpeed)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	w := &World{speed: speed, dir: opts.Dir, metrics: newServiceMetrics()}
	if err := w.setupDir(); err != nil {
		return nil, err
	}
	if err := w.listen(); err != nil {
		w.release()
		return nil, err
	}
	if err := w.buildConfig(); err != nil {
		w.release()
		return nil, err
	}
	if err := w.reloadFlags(); err != nil {
		w.release()
		return nil, fmt.Errorf("demo flags file %s: %w", w.flagsPath, err)
	}

	m := newSim(seed, w.flags.boolValue(FlagKey, false))
	w.st = m.cur
	w.metrics.setState(m.cur)
	w.alerts = newAlerter(w.api.Addr().String())
	w.ctx, w.cancel = context.WithCancel(ctx)
	w.serve(w.api, w.apiHandler())
	w.serve(w.flagd, w.ofrepHandler())
	w.serve(w.am, w.alertmanagerHandler())
	w.goLoop(w.acceptTCP)
	w.goLoop(func() { w.simulate(m) })
	w.goLoop(w.watchFlags)
	w.goLoop(func() {
		<-w.ctx.Done()
		w.stopServing()
	})
	return w, nil
}

func (w *World) setupDir() error {
	if w.dir == "" {
		d, err := os.MkdirTemp("", "sitrep-demo-")
		if err != nil {
			return fmt.Errorf("demo: create a temporary directory: %w (set $TMPDIR to a writable directory)", err)
		}
		w.dir, w.ownDir = d, true
	} else if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return fmt.Errorf("demo: create directory %s: %w", w.dir, err)
	}
	w.flagsPath = filepath.Join(w.dir, "flags.json")
	if err := fsutil.WriteFileAtomic(w.flagsPath, []byte(initialFlags), 0o644); err != nil {
		w.release()
		return fmt.Errorf("demo: write the flags file %s: %w", w.flagsPath, err)
	}
	return nil
}

func (w *World) listen() error {
	for _, ln := range []*net.Listener{&w.api, &w.flagd, &w.am, &w.tcp} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("demo: listen on 127.0.0.1: %w", err)
		}
		*ln = l
	}
	return nil
}

func (w *World) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		// Handlers that sleep to look slow end when the world stops.
		BaseContext: func(net.Listener) context.Context { return w.ctx },
	}
	w.servers = append(w.servers, srv)
	w.goLoop(func() { _ = srv.Serve(ln) })
}

func (w *World) goLoop(f func()) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		f()
	}()
}

func (w *World) acceptTCP() {
	for {
		c, err := w.tcp.Accept()
		if err != nil {
			return // closed by stopServing
		}
		// A check only needs the connect to succeed.
		c.Close()
	}
}

func (w *World) stopServing() {
	for _, s := range w.servers {
		s.Close()
	}
	w.tcp.Close()
}

// release closes what Start opened before serving began.
func (w *World) release() {
	for _, l := range []net.Listener{w.api, w.flagd, w.am, w.tcp} {
		if l != nil {
			l.Close()
		}
	}
	if w.ownDir {
		os.RemoveAll(w.dir)
	}
}

// Close stops every server and goroutine, then removes the temporary
// directory if Start created it. It is safe to call more than once.
func (w *World) Close() error {
	var err error
	w.once.Do(func() {
		w.cancel()
		w.wg.Wait()
		for _, l := range []net.Listener{w.api, w.flagd, w.am} {
			// http.Server.Close closed these; a second close reports it.
			if e := l.Close(); e != nil && !errors.Is(e, net.ErrClosed) {
				err = e
			}
		}
		if w.ownDir {
			if e := os.RemoveAll(w.dir); e != nil {
				err = fmt.Errorf("demo: remove %s: %w", w.dir, e)
			}
		}
	})
	return err
}

// scaled converts a story duration to real time at the world's speed.
func (w *World) scaled(d time.Duration) time.Duration {
	return max(time.Duration(float64(d)/w.speed), minPeriod)
}

// FlagsPath is the flagd flags file the service reads.
func (w *World) FlagsPath() string { return w.flagsPath }

// Dir is the directory holding the flags file.
func (w *World) Dir() string { return w.dir }

// APIURL is the simulated service's base URL (/metrics, /healthz, /db/healthz).
func (w *World) APIURL() string { return "http://" + w.api.Addr().String() }

// OFREPURL is the base URL of the OFREP evaluation API.
func (w *World) OFREPURL() string { return "http://" + w.flagd.Addr().String() }

// AlertmanagerURL is the base URL of the Alertmanager API v2.
func (w *World) AlertmanagerURL() string { return "http://" + w.am.Addr().String() }

// TCPAddr is the host:port of the plain TCP check target.
func (w *World) TCPAddr() string { return w.tcp.Addr().String() }
