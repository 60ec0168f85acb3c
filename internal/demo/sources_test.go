package demo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/internal/demo"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/alerts"
	"github.com/sitrep-dev/sitrep/sources/flags"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/metric"
	"github.com/sitrep-dev/sitrep/sources/wire"
)

// view is what sitrep's own pollers make of the world at one moment.
type view struct {
	metrics map[string]metric.Value
	health  map[string]health.Result
	alerts  []string
}

func (v view) String() string {
	var b strings.Builder
	for _, n := range []string{"Requests/s", "5xx/s", "p99 latency", "DB pool used"} {
		m := v.metrics[n]
		fmt.Fprintf(&b, "%s=%.3g(%s) ", n, m.Current, m.State)
	}
	for _, n := range []string{"api", "database", "queue broker"} {
		fmt.Fprintf(&b, "%s=%s ", n, v.health[n].State)
	}
	fmt.Fprintf(&b, "alerts=%v", v.alerts)
	return b.String()
}

func pollAll(t *testing.T, ps []sources.Poller) view {
	t.Helper()
	v := view{metrics: map[string]metric.Value{}, health: map[string]health.Result{}}
	for _, p := range ps {
		ctx, cancel := context.WithTimeout(context.Background(), p.Timeout())
		val, err := p.Poll(ctx)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", p.ID(), err)
		}
		switch x := val.(type) {
		case metric.Value:
			v.metrics[x.Name] = x
		case health.Result:
			v.health[x.Name] = x
		case []alerts.Alert:
			for _, a := range x {
				v.alerts = append(v.alerts, a.Name)
			}
			slices.Sort(v.alerts)
		default:
			t.Fatalf("%s: unexpected value %T", p.ID(), val)
		}
	}
	return v
}

// await polls every 200 ms until cond holds.
func await(t *testing.T, ps []sources.Poller, timeout time.Duration, what string, cond func(view) bool) view {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		v := pollAll(t, ps)
		if cond(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s sitrep's sources still do not see %s; last: %v", timeout, what, v)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestSitrepSourcesSeeTheStory runs sitrep's real pollers and the real
// file flag provider against World.Config(): they see the incident, the
// kill switch applied through the provider is verified over OFREP, and
// they see the recovery.
func TestSitrepSourcesSeeTheStory(t *testing.T) {
	w, err := demo.Start(context.Background(), demo.Options{Speed: 20, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cfg := w.Config()
	ps, err := wire.Pollers(cfg)
	if err != nil {
		t.Fatalf("wire.Pollers on the demo config: %v", err)
	}
	providers, err := flags.Build(cfg.Flags)
	if err != nil || len(providers) != 1 {
		t.Fatalf("flags.Build on the demo config: %v (%d providers)", err, len(providers))
	}
	fp := providers[0]

	await(t, ps, 15*time.Second, "the incident", func(v view) bool {
		return v.metrics["DB pool used"].State == metric.Crit && v.metrics["p99 latency"].State == metric.Crit &&
			v.metrics["5xx/s"].State == metric.Crit && v.health["api"].State == health.Down &&
			v.health["database"].State == health.Degraded && v.health["queue broker"].State == health.Up &&
			slices.Equal(v.alerts, []string{"DBConnectionPoolSaturated", "HighErrorRate"})
	})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	plan, err := fp.Plan(ctx, flags.Change{Key: demo.FlagKey, On: false})
	if err != nil {
		t.Fatalf("plan the kill: %v", err)
	}
	after, err := fp.Apply(ctx, plan)
	if err != nil {
		t.Fatalf("apply the kill: %v", err)
	}
	start := time.Now()
	ev, ok, err := fp.Verifier().Await(ctx, demo.FlagKey, after)
	if !ok {
		t.Fatalf("OFREP never confirmed the kill: %+v %v", ev, err)
	}
	t.Logf("OFREP confirmed %s=%v (variant %s) %v after the write", demo.FlagKey, ev.Value, ev.Variant, time.Since(start).Round(time.Millisecond))

	v := await(t, ps, 10*time.Second, "the recovery", func(v view) bool {
		return v.metrics["DB pool used"].State == metric.OK && v.metrics["p99 latency"].State == metric.OK &&
			v.metrics["5xx/s"].State == metric.OK && v.health["api"].State == health.Up &&
			v.health["database"].State == health.Up && len(v.alerts) == 0
	})
	t.Logf("recovered: %v", v)
	f, err := fp.Get(ctx, demo.FlagKey)
	if err != nil || f.On {
		t.Errorf("the provider reads %s as %+v (%v), want off", demo.FlagKey, f, err)
	}
}
