package flags

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/sources/flags/flagstest"
)

func TestMain(m *testing.M) { os.Exit(flagstest.Main(m)) }

func newUnleash(s *flagstest.Server, token string) *Unleash {
	return NewUnleash(base{name: "unleash", env: "development", timeout: 5 * time.Second},
		s.URL, "default", func() (string, error) { return token, nil })
}

func TestUnleashKillVerifyRestoreAgainstARealServer(t *testing.T) {
	s := flagstest.Unleash(t)
	s.Feature(t, "sitrep-kill")
	p := newUnleash(s, s.Token)
	ctx := context.Background()

	list, err := p.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range list {
		if f.Key == "sitrep-kill" {
			found = f.On && f.State == "on" && f.Env == "development"
		}
	}
	if !found {
		t.Fatalf("list %+v: want sitrep-kill on in development", list)
	}

	plan, err := p.Plan(ctx, Change{Key: "sitrep-kill"})
	if err != nil {
		t.Fatal(err)
	}
	if plan.NoOp || plan.Before.State != "on" || plan.After.State != "off" {
		t.Fatalf("plan %+v", plan)
	}
	if _, err := p.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	got, err := p.Get(ctx, "sitrep-kill")
	if err != nil || got.On || !Observed(plan.After, got) {
		t.Fatalf("read back %+v, %v; want off", got, err)
	}

	restore, err := p.Plan(ctx, Change{Key: "sitrep-kill", Restore: jsonRoundTrip(t, plan.Undo)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(ctx, restore); err != nil {
		t.Fatal(err)
	}
	if got, err := p.Get(ctx, "sitrep-kill"); err != nil || !got.On {
		t.Fatalf("after restore %+v, %v; want on", got, err)
	}
}

func TestUnleashRefusesWhenSomeoneSwitchedItSincePreview(t *testing.T) {
	s := flagstest.Unleash(t)
	s.Feature(t, "sitrep-conflict")
	p := newUnleash(s, s.Token)
	plan, err := p.Plan(context.Background(), Change{Key: "sitrep-conflict", On: false})
	if err != nil {
		t.Fatal(err)
	}
	s.Set(t, "sitrep-conflict", "development", false)
	_, err = p.Apply(context.Background(), plan)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Now != "off" {
		t.Fatalf("err = %v; want a conflict", err)
	}
}

func TestUnleashErrorsFromARealServer(t *testing.T) {
	s := flagstest.Unleash(t)
	_, err := newUnleash(s, s.Token).Get(context.Background(), "no-such-flag")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown flag: %v; want ErrNotFound", err)
	}
	const wrong = "*:*.not-the-token"
	_, err = newUnleash(s, wrong).List(context.Background())
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), "token_env") {
		t.Errorf("wrong token: %v; want a 401 with a hint, without the token", err)
	}
	p := newUnleash(s, s.Token)
	p.env = "staging"
	s.Feature(t, "sitrep-env")
	if _, err := p.Get(context.Background(), "sitrep-env"); err == nil || !strings.Contains(err.Error(), `no environment "staging"`) {
		t.Errorf("unknown environment: %v", err)
	}
}
