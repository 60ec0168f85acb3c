package commands

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources/flags/flagstest"
)

func unleashSwitch(t *testing.T, s *flagstest.Server) *FlagSwitch {
	t.Setenv("SITREP_TEST_UNLEASH_TOKEN", s.Token)
	return newSwitch(t, flagIncident(t), build(t, config.FlagProvider{Provider: "unleash", Name: "unleash", URL: s.URL,
		Project: "default", Environment: "development", TokenEnv: "SITREP_TEST_UNLEASH_TOKEN", Timeout: config.Duration(5 * time.Second)}))
}

func TestFlagKillVerifyRestoreAgainstARealUnleash(t *testing.T) {
	s := flagstest.Unleash(t)
	s.Feature(t, "sitrep-cmd-kill")
	sw := unleashSwitch(t, s)
	ctx := context.Background()
	pv, err := sw.Preview(ctx, FlagRequest{Name: "sitrep-cmd-kill", Action: FlagOff, Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Before != "on" || pv.After != "off" || pv.Env != "development" {
		t.Fatalf("preview %+v", pv.Lines())
	}
	out, err := sw.Apply(ctx, pv, func() []incident.MetricReading { return readings })
	if err != nil {
		t.Fatal(err)
	}
	if !out.Data.Verified || out.Data.Result != "applied" || out.Data.Undo["on"] != true || len(out.Data.Evidence) != 2 {
		t.Errorf("kill entry %+v", out.Data)
	}
	pv, err = sw.Preview(ctx, FlagRequest{Name: "unleash/sitrep-cmd-kill", Action: FlagRestore})
	if err != nil {
		t.Fatal(err)
	}
	if pv.After != "on" {
		t.Errorf("restore preview %+v", pv.Lines())
	}
	if out, err = sw.Apply(ctx, pv, nil); err != nil || !out.Data.Verified {
		t.Fatalf("restore %+v, %v", out.Data, err)
	}
}

// TestFlagKillSwitchWallTime measures preview → applied → verified →
// journaled for the file provider and a real Unleash, the numbers in the
// README. Run: SITREP_MEASURE=1 go test ./commands -run WallTime -v
func TestFlagKillSwitchWallTime(t *testing.T) {
	if os.Getenv("SITREP_MEASURE") != "1" {
		t.Skip("set SITREP_MEASURE=1 to measure")
	}
	const runs = 9
	measure := func(t *testing.T, sw *FlagSwitch, name string) {
		var total, apply []time.Duration
		for i := 0; i < runs; i++ {
			for _, action := range []string{FlagOff, FlagRestore} {
				start := time.Now()
				pv, err := sw.Preview(context.Background(), FlagRequest{Name: name, Action: action})
				if err != nil {
					t.Fatal(err)
				}
				out, err := sw.Apply(context.Background(), pv, nil)
				if err != nil || !out.Data.Verified {
					t.Fatalf("%s: %+v, %v", action, out.Data, err)
				}
				if action == FlagOff {
					total = append(total, time.Since(start))
					apply = append(apply, out.Applied)
				}
			}
		}
		t.Logf("kill switch %s: median preview→applied→verified→journaled %s (apply request %s) over %d runs; min %s max %s",
			t.Name(), median(total), median(apply), runs, minD(total), maxD(total))
	}
	t.Run("file", func(t *testing.T) {
		sw := newSwitch(t, flagIncident(t), build(t, config.FlagProvider{Provider: "file", Path: writeFlagFile(t, flagFile)}))
		measure(t, sw, "async-updates")
	})
	t.Run("unleash", func(t *testing.T) {
		s := flagstest.Unleash(t)
		s.Feature(t, "sitrep-measure")
		measure(t, unleashSwitch(t, s), "sitrep-measure")
	})
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2].Round(10 * time.Microsecond)
}

func minD(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m.Round(10 * time.Microsecond)
}

func maxD(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = max(m, d)
	}
	return m.Round(10 * time.Microsecond)
}
