package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/sources/flags"
	"github.com/sitrep-dev/sitrep/sources/flags/flagstest"
)

func TestMain(m *testing.M) { os.Exit(flagstest.Main(m)) }

const flagFile = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "async-updates": {
      "state": "ENABLED",
      "variants": {"on": true, "off": false},
      "defaultVariant": "on",
      "targeting": {"if": [{"ends_with": [{"var": "email"}, "@faas.com"]}, "on", null]}
    },
    "dark-mode": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}
  }
}
`

// writeFlagFile puts a flag file in a temp dir and returns its path.
func writeFlagFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flags.json")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func build(t *testing.T, cfg ...config.FlagProvider) []flags.Provider {
	t.Helper()
	ps, err := flags.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func newSwitch(t *testing.T, j *incident.Journal, ps []flags.Provider) *FlagSwitch {
	return &FlagSwitch{Providers: ps, Journal: j, Author: "alice@bastion", Every: 5 * time.Millisecond,
		ReadbackDeadline: 2 * time.Second}
}

func flagIncident(t *testing.T) *incident.Journal {
	t.Helper()
	j, _, err := incident.Store{Dir: t.TempDir()}.Create("DB overload", 1, "alice@bastion", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// flagData returns the outcome of every flag change in the journal, and
// checks that each was preceded by its write-ahead "sending" entry.
func flagData(t *testing.T, j *incident.Journal) []incident.FlagData {
	t.Helper()
	entries, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	var out []incident.FlagData
	sending := 0
	for _, e := range entries {
		if e.Kind == incident.KindFlag {
			var d incident.FlagData
			if err := e.Decode(&d); err != nil {
				t.Fatal(err)
			}
			if d.Result == FlagSending {
				sending++
				continue
			}
			if sending != len(out)+1 {
				t.Fatalf("outcome entry %d (%s) has no write-ahead entry before it", e.Seq, d.Result)
			}
			out = append(out, d)
		}
	}
	return out
}

var readings = []incident.MetricReading{{Name: "DB connections", Value: 97, State: "crit"}, {Name: "API 5xx/s", Value: 12.5, Unit: "/s", State: "crit"}}

func TestFlagKillJournalsBeforeAfterReasonEvidenceAndVerification(t *testing.T) {
	path := writeFlagFile(t, flagFile)
	j := flagIncident(t)
	sw := newSwitch(t, j, build(t, config.FlagProvider{Provider: "file", Name: "flagd", Path: path}))
	var steps []string
	sw.Progress = func(s string) { steps = append(steps, s) }
	pv, err := sw.Preview(context.Background(), FlagRequest{Name: "async-updates", Action: FlagOff, Reason: "DB at max connections"})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(pv.Lines(), "\n")
	for _, want := range []string{"flag:     async-updates", "provider: flagd (file)", "change:   on (variant on, targeting) → off (variant off, targeting)", "targeting kept"} {
		if !strings.Contains(lines, want) {
			t.Errorf("preview lacks %q:\n%s", want, lines)
		}
	}
	out, err := sw.Apply(context.Background(), pv, func() []incident.MetricReading { return readings })
	if err != nil {
		t.Fatal(err)
	}
	ds := flagData(t, j)
	if len(ds) != 1 {
		t.Fatalf("%d flag entries; want 1", len(ds))
	}
	d := ds[0]
	if d.Action != "off" || d.Result != "applied" || !d.Verified || d.Source != "flagd" || d.Provider != "file" || d.Flag != "async-updates" ||
		d.Before != "on (variant on, targeting)" || d.After != "off (variant off, targeting)" || d.Reason != "DB at max connections" {
		t.Errorf("entry data %+v", d)
	}
	if len(d.Evidence) != 2 || d.Evidence[0] != readings[0] || d.Evidence[1] != readings[1] {
		t.Errorf("evidence %+v", d.Evidence)
	}
	if d.Undo["defaultVariant"] != "on" {
		t.Errorf("undo %+v", d.Undo)
	}
	if out.Entry.Author != "alice@bastion" || !strings.HasPrefix(out.Entry.Text, "killed flag flagd/async-updates: on (variant on, targeting) → off (variant off, targeting) (verified in ") ||
		!strings.HasSuffix(out.Entry.Text, " — DB at max connections") {
		t.Errorf("entry %q by %q", out.Entry.Text, out.Entry.Author)
	}
	if strings.Join(steps, ",") != "applying,verifying" {
		t.Errorf("progress %q", steps)
	}
	if b, _ := os.ReadFile(path); !bytes.Contains(b, []byte(`"defaultVariant": "off",`)) {
		t.Errorf("file not killed:\n%s", b)
	}
}

func TestFlagRefusedApplyIsJournaledAsFailed(t *testing.T) {
	path := writeFlagFile(t, flagFile)
	j := flagIncident(t)
	sw := newSwitch(t, j, build(t, config.FlagProvider{Provider: "file", Name: "flagd", Path: path}))
	pv, err := sw.Preview(context.Background(), FlagRequest{Name: "async-updates", Action: FlagOff})
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(flagFile, `"defaultVariant": "off"}`, `"defaultVariant": "on"}`, 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = sw.Apply(context.Background(), pv, func() []incident.MetricReading { return readings })
	var ce *flags.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v; want a conflict", err)
	}
	ds := flagData(t, j)
	if len(ds) != 1 || ds[0].Result != "failed" || !strings.Contains(ds[0].Error, "changed since the preview") || ds[0].Verified || ds[0].Undo != nil || len(ds[0].Evidence) != 2 {
		t.Errorf("journal %+v; want one failed entry with the error and evidence, no undo", ds)
	}
	if b, _ := os.ReadFile(path); string(b) != edited {
		t.Error("the file was written despite the conflict")
	}
}

func TestFlagRestoreReturnsTheJournaledStateIncludingTargeting(t *testing.T) {
	path := writeFlagFile(t, flagFile)
	j := flagIncident(t)
	sw := newSwitch(t, j, build(t, config.FlagProvider{Provider: "file", Name: "flagd", Path: path}))
	ctx := context.Background()
	pv, err := sw.Preview(ctx, FlagRequest{Name: "async-updates", Action: FlagOff, DropTargeting: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sw.Apply(ctx, pv, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("targeting")) {
		t.Fatalf("targeting not dropped:\n%s", b)
	}
	pv, err = sw.Preview(ctx, FlagRequest{Name: "flagd/async-updates", Action: FlagRestore, Reason: "DB recovered"})
	if err != nil {
		t.Fatal(err)
	}
	if pv.RestoreOf != 3 || pv.After != "on (variant on, targeting)" { // 2 is the kill's write-ahead entry
		t.Errorf("restore preview %+v", pv)
	}
	out, err := sw.Apply(ctx, pv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != flagFile {
		t.Errorf("restore did not give back the original file:\n%s", b)
	}
	if out.Data.Action != "restore" || !out.Data.Verified {
		t.Errorf("restore entry %+v", out.Data)
	}
	_, err = sw.Preview(ctx, FlagRequest{Name: "async-updates", Action: FlagRestore})
	if err == nil || !strings.Contains(err.Error(), "already a restore") {
		t.Errorf("second restore: %v", err)
	}
}

func TestFlagNamesResolveToOneProvider(t *testing.T) {
	a, b := writeFlagFile(t, flagFile), writeFlagFile(t, flagFile)
	ps := build(t, config.FlagProvider{Provider: "file", Name: "eu", Path: a}, config.FlagProvider{Provider: "file", Name: "us", Path: b})
	sw := newSwitch(t, nil, ps)
	ctx := context.Background()
	for _, tc := range []struct {
		name, provider string
		wantSource     string
		wantErr        string
	}{
		{name: "async-updates", wantErr: `flag "async-updates" exists in several providers: name one of eu/async-updates, us/async-updates (or use --provider)`},
		{name: "us/async-updates", wantSource: "us"},
		{name: "async-updates", provider: "eu", wantSource: "eu"},
		{name: "nope", wantErr: `no provider has a flag "nope" (see ` + "`sitrep flag list`)"},
		{name: "x", provider: "asia", wantErr: `no flag provider named "asia"; configured: eu, us`},
	} {
		t.Run(tc.name+"/"+tc.provider, func(t *testing.T) {
			pv, err := sw.Preview(ctx, FlagRequest{Name: tc.name, Provider: tc.provider, Action: FlagOff})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("err = %v\nwant %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || pv.Source != tc.wantSource {
				t.Errorf("preview from %q, %v; want %q", pv.Source, err, tc.wantSource)
			}
		})
	}
}

func TestFlagResolutionWarnsAboutAProviderItCouldNotAsk(t *testing.T) {
	ps := build(t, config.FlagProvider{Provider: "file", Name: "ok", Path: writeFlagFile(t, flagFile)},
		config.FlagProvider{Provider: "file", Name: "broken", Path: filepath.Join(t.TempDir(), "missing.json")})
	pv, err := newSwitch(t, nil, ps).Preview(context.Background(), FlagRequest{Name: "dark-mode", Action: FlagOn})
	if err != nil || pv.Source != "ok" || len(pv.Warnings) != 1 || !strings.Contains(pv.Warnings[0], "could not check provider broken") {
		t.Errorf("preview %+v, %v", pv, err)
	}
}

func TestConfirmFlagNeedsTheExactKey(t *testing.T) {
	for _, tc := range []struct {
		typed, key string
		ok         bool
	}{
		{"async-updates\n", "async-updates", true},
		{"async-updates\r\n", "async-updates", true},
		{"async-updates", "async-updates", true},
		{"y\n", "async-updates", false},
		{"Async-Updates\n", "async-updates", false},
		{" async-updates\n", "async-updates", false},
		{"async-update\n", "async-updates", false},
		{"\n", "", false},
	} {
		if got := ConfirmFlag(tc.typed, tc.key); got != tc.ok {
			t.Errorf("ConfirmFlag(%q, %q) = %v", tc.typed, tc.key, got)
		}
	}
}

func TestFlagPreviewChangesAndJournalsNothing(t *testing.T) {
	path := writeFlagFile(t, flagFile)
	j := flagIncident(t)
	sw := newSwitch(t, j, build(t, config.FlagProvider{Provider: "file", Path: path}))
	if _, err := sw.Preview(context.Background(), FlagRequest{Name: "async-updates", Action: FlagOff, DropTargeting: true}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != flagFile {
		t.Error("preview wrote the file")
	}
	if ds := flagData(t, j); len(ds) != 0 {
		t.Errorf("preview journaled %+v", ds)
	}
}

func TestFlagAlreadyInStateIsRefusedWithoutJournaling(t *testing.T) {
	j := flagIncident(t)
	sw := newSwitch(t, j, build(t, config.FlagProvider{Provider: "file", Path: writeFlagFile(t, flagFile)}))
	pv, err := sw.Preview(context.Background(), FlagRequest{Name: "dark-mode", Action: FlagOff})
	if err != nil || !pv.NoOp || !strings.Contains(strings.Join(pv.Lines(), "\n"), "already off; nothing to do") {
		t.Fatalf("preview %+v, %v", pv.Lines(), err)
	}
	if _, err := sw.Apply(context.Background(), pv, nil); err == nil || !strings.Contains(err.Error(), "nothing to do") {
		t.Errorf("apply of a no-op: %v", err)
	}
	if ds := flagData(t, j); len(ds) != 0 {
		t.Errorf("no-op journaled %+v", ds)
	}
}

func TestFlagApplyWithoutAnIncidentRefusesBeforeChangingAnything(t *testing.T) {
	path := writeFlagFile(t, flagFile)
	sw := newSwitch(t, nil, build(t, config.FlagProvider{Provider: "file", Path: path}))
	pv, err := sw.Preview(context.Background(), FlagRequest{Name: "async-updates", Action: FlagOff})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sw.Apply(context.Background(), pv, nil); err == nil || !strings.Contains(err.Error(), "sitrep open") {
		t.Errorf("apply without a journal: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != flagFile {
		t.Error("the flag changed without a journal to record it")
	}
}

// ofrepFromFile is an OFREP endpoint that evaluates the flag file the way
// flagd does for a context no targeting matches: the default variant. It
// starts serving the file's new content only after lag, like a server
// that notices file changes a moment later.
func ofrepFromFile(t *testing.T, path string, lag time.Duration) *httptest.Server {
	var changedAt time.Time
	lastSeen, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, "/ofrep/v1/evaluate/flags/")
		b, _ := os.ReadFile(path)
		if !bytes.Equal(b, lastSeen) && changedAt.IsZero() {
			changedAt = time.Now()
		}
		if !changedAt.IsZero() && time.Since(changedAt) >= lag {
			lastSeen = b
		}
		variant := "on"
		if bytes.Contains(lastSeen, []byte(`"defaultVariant": "off",`)) {
			variant = "off"
		}
		fmt.Fprintf(w, `{"key":%q,"value":%v,"variant":%q,"reason":"STATIC"}`, key, variant == "on", variant)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFlagVerificationWaitsForOFREP(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lag      time.Duration
		deadline time.Duration
		verified bool
		note     string
	}{
		{"clients see the change", 150 * time.Millisecond, 3 * time.Second, true, "OFREP serves false (variant off) after"},
		{"clients never see it", time.Hour, 300 * time.Millisecond, false, "OFREP did not confirm the change: OFREP still serves true (variant on)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFlagFile(t, flagFile)
			srv := ofrepFromFile(t, path, tc.lag)
			j := flagIncident(t)
			ps := build(t, config.FlagProvider{Provider: "file", Path: path,
				Verify: &config.FlagVerify{URL: srv.URL, Context: map[string]string{"targetingKey": "sitrep"}, Deadline: config.Duration(tc.deadline)}})
			sw := newSwitch(t, j, ps)
			pv, err := sw.Preview(context.Background(), FlagRequest{Name: "async-updates", Action: FlagOff})
			if err != nil {
				t.Fatal(err)
			}
			out, err := sw.Apply(context.Background(), pv, nil)
			if err != nil {
				t.Fatal(err)
			}
			if out.Data.Verified != tc.verified || !strings.Contains(strings.Join(out.Notes, "\n"), tc.note) {
				t.Errorf("verified=%v notes=%q", out.Data.Verified, out.Notes)
			}
			if tc.verified && out.Data.VerifyMillis < tc.lag.Milliseconds() {
				t.Errorf("verified in %d ms, before OFREP could have served the change", out.Data.VerifyMillis)
			}
			if !tc.verified && (out.Data.Result != "applied" || !strings.Contains(out.Entry.Text, "NOT verified")) {
				t.Errorf("unverified change journaled as %q: %q", out.Data.Result, out.Entry.Text)
			}
		})
	}
}

func TestFlagTokenNeverReachesTheJournalOrErrors(t *testing.T) {
	const token = "*:*.super-secret-admin-token"
	t.Setenv("SITREP_TEST_UNLEASH_TOKEN", token)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != token {
			w.WriteHeader(401)
			return
		}
		if r.Method == http.MethodPost { // a proxy that echoes the credential it dislikes
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "upstream rejected Authorization: "+token)
			return
		}
		io.WriteString(w, `{"name":"kill-me","environments":[{"name":"production","enabled":true}]}`)
	}))
	t.Cleanup(srv.Close)
	j := flagIncident(t)
	sw := newSwitch(t, j, build(t, config.FlagProvider{Provider: "unleash", URL: srv.URL, Project: "default",
		Environment: "production", TokenEnv: "SITREP_TEST_UNLEASH_TOKEN"}))
	pv, err := sw.Preview(context.Background(), FlagRequest{Name: "kill-me", Action: FlagOff})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sw.Apply(context.Background(), pv, nil)
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") || strings.Contains(err.Error(), "super-secret") {
		t.Errorf("apply error %v; want the 502 without the token", err)
	}
	b, _ := os.ReadFile(j.Path())
	if bytes.Contains(b, []byte("super-secret")) || !bytes.Contains(b, []byte(`"result":"failed"`)) {
		t.Errorf("journal:\n%s", b)
	}
}

func TestFlagListTakesTheLastChangeFromTheJournal(t *testing.T) {
	path := writeFlagFile(t, flagFile)
	j := flagIncident(t)
	at := time.Date(2026, 11, 27, 7, 31, 0, 0, time.UTC)
	sw := newSwitch(t, j, build(t, config.FlagProvider{Provider: "file", Name: "flagd", Path: path},
		config.FlagProvider{Provider: "file", Name: "gone", Path: filepath.Join(t.TempDir(), "nope.json")}))
	sw.Now = func() time.Time { return at }
	pv, err := sw.Preview(context.Background(), FlagRequest{Name: "flagd/async-updates", Action: FlagOff})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sw.Apply(context.Background(), pv, nil); err != nil {
		t.Fatal(err)
	}
	fs, errs := sw.ListFlags(context.Background())
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "gone: flag file: open") {
		t.Errorf("errors %v; want the missing file's provider named", errs)
	}
	if len(fs) != 2 || fs[0].Key != "async-updates" || !fs[0].LastChange.Equal(at) || fs[0].On || !fs[1].LastChange.IsZero() {
		t.Errorf("flags %+v", fs)
	}
}

func TestFlagLaunchDarklyCommentNamesTheIncidentAndReason(t *testing.T) {
	t.Setenv("SITREP_TEST_LD_TOKEN", "ld-token")
	var comment string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			var body struct{ Comment string }
			_ = json.NewDecoder(r.Body).Decode(&body)
			comment = body.Comment
		}
		on := comment == ""
		fmt.Fprintf(w, `{"key":"checkout","_version":3,"variations":[{"value":true},{"value":false}],"environments":{"production":{"on":%v,"offVariation":1}}}`, on)
	}))
	t.Cleanup(srv.Close)
	j := flagIncident(t)
	sw := newSwitch(t, j, build(t, config.FlagProvider{Provider: "launchdarkly", URL: srv.URL, Project: "web",
		Environment: "production", TokenEnv: "SITREP_TEST_LD_TOKEN"}))
	pv, err := sw.Preview(context.Background(), FlagRequest{Name: "checkout", Action: FlagOff, Reason: "payments failing"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sw.Apply(context.Background(), pv, nil); err != nil {
		t.Fatal(err)
	}
	if want := j.ID() + ": payments failing"; comment != want {
		t.Errorf("comment %q; want %q", comment, want)
	}
}

func TestFlagCancelledDuringApplyStillCompletesAndJournalsTheChange(t *testing.T) {
	path := writeFlagFile(t, flagFile)
	j := flagIncident(t)
	sw := newSwitch(t, j, build(t, config.FlagProvider{Provider: "file", Path: path}))
	pv, err := sw.Preview(context.Background(), FlagRequest{Name: "async-updates", Action: FlagOff})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Ctrl-C right after the commander confirmed
	out, err := sw.Apply(ctx, pv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Data.Result != "applied" || out.Data.Verified || !strings.Contains(out.Entry.Text, "NOT verified") {
		t.Errorf("entry %q %+v; want applied, not verified", out.Entry.Text, out.Data)
	}
	if b, _ := os.ReadFile(path); !bytes.Contains(b, []byte(`"defaultVariant": "off",`)) {
		t.Error("the change was abandoned halfway")
	}
}
