package flags

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/sources"
)

func TestBuildMakesEachConfiguredProvider(t *testing.T) {
	ps, err := Build([]config.FlagProvider{
		{Provider: "file", Name: "flagd", Path: "testdata/golden/flags.json", Interval: config.Duration(10 * time.Second), Timeout: config.Duration(time.Second),
			Verify: &config.FlagVerify{URL: "http://127.0.0.1:8016"}},
		{Provider: "unleash", URL: "http://127.0.0.1:4242", Environment: "production", TokenEnv: "X"},
		{Provider: "launchdarkly", Name: "ld", Project: "web", Environment: "production", TokenEnv: "X"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Name()+":"+p.Type()+":"+p.Env())
	}
	if strings.Join(got, " ") != "flagd:file: unleash:unleash:production ld:launchdarkly:production" {
		t.Errorf("built %q", got)
	}
	if ps[0].Verifier() == nil || ps[1].Verifier() != nil {
		t.Error("the OFREP verifier is not attached to the provider that configures it")
	}
	if _, err := Build([]config.FlagProvider{{Provider: "flagsmith"}}); err == nil {
		t.Error("an unknown provider was accepted")
	}
}

func TestBuildReadsTheTokenAtUseTime(t *testing.T) {
	ps, err := Build([]config.FlagProvider{{Provider: "unleash", URL: "http://127.0.0.1:1", Environment: "e", TokenEnv: "SITREP_TEST_NO_SUCH_TOKEN"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ps[0].List(context.Background())
	if err == nil || !strings.Contains(err.Error(), "SITREP_TEST_NO_SUCH_TOKEN is empty or not set") {
		t.Errorf("err = %v; want the unset variable named", err)
	}
}

func TestPollerListsTheProvidersFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flags.json")
	seed, _ := os.ReadFile("testdata/golden/flags.json")
	if err := os.WriteFile(path, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	ps, err := Build([]config.FlagProvider{{Provider: "file", Name: "flagd", Path: path, Interval: config.Duration(10 * time.Second), Timeout: config.Duration(time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	var poller sources.Poller = Poller(ps[0])
	if poller.ID() != "flags/flagd" || poller.Kind() != sources.KindFlags || poller.Interval() != 10*time.Second || poller.Timeout() != time.Second {
		t.Errorf("poller %s %s %s %s", poller.ID(), poller.Kind(), poller.Interval(), poller.Timeout())
	}
	v, err := poller.Poll(context.Background())
	fs, ok := v.([]Flag)
	if err != nil || !ok || len(fs) != 4 || fs[0].Key != "async-prediction-updates" || fs[3].State != "off (DISABLED)" {
		t.Errorf("poll = %#v, %v", v, err)
	}
}
