package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/commands/publish"
	"github.com/sitrep-dev/sitrep/commands/publish/publishtest"
	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
)

// world is a real set of publish targets on 127.0.0.1: the fake
// Statuspage, a webhook receiver that can be told to fail or hang, and a
// Markdown file.
type world struct {
	sp       *publishtest.Statuspage
	hookFail atomic.Int32 // status to answer; 0 = 200
	hookHang atomic.Bool
	hookHits atomic.Int32 // requests answered 2xx
	hookAll  atomic.Int32 // all requests
	file     string
	cfg      *config.Config
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{sp: publishtest.New(t), file: t.TempDir() + "/status.md"}
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.hookAll.Add(1)
		if w.hookHang.Load() {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		if code := w.hookFail.Load(); code != 0 {
			rw.WriteHeader(int(code))
			io.WriteString(rw, "receiver down")
			return
		}
		w.hookHits.Add(1)
	}))
	t.Cleanup(hook.Close)
	t.Setenv("TEST_SP_KEY", publishtest.Key)
	cfg, err := config.Parse("sitrep.yaml", []byte(fmt.Sprintf(`
status:
  - {provider: statuspage, name: public, page: %s, base_url: %s, token_env: TEST_SP_KEY, notify: false,
     components: {API: cmpapi01, Web: cmpweb02}, timeout: 2s}
  - {provider: webhook, name: slack, url: %s/services/T0/B0/hooksecret, timeout: 300ms}
  - {provider: file, name: site, path: %s}
`, publishtest.Page, w.sp.URL, hook.URL, w.file)))
	if err != nil {
		t.Fatal(err)
	}
	w.cfg = cfg
	return w
}

// targets builds the targets afresh, as a newly started sitrep would.
func (w *world) targets(t *testing.T) []publish.Target {
	t.Helper()
	ts, err := publish.Build(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func (w *world) sections(t *testing.T) int {
	b, err := os.ReadFile(w.file)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n## ")
}

func outcomes(r PublishResult) string {
	var parts []string
	for _, o := range r.Outcomes {
		s := o.Target + ":"
		switch {
		case o.Skipped != "":
			s += "skipped"
		case o.Err != nil:
			s += "failed"
		default:
			s += "ok"
		}
		parts = append(parts, s)
	}
	sortStrings(parts)
	return strings.Join(parts, " ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for k := i; k > 0 && s[k] < s[k-1]; k-- {
			s[k], s[k-1] = s[k-1], s[k]
		}
	}
}

func yes(Preview) bool { return true }

func TestPublishFailedTargetIsRetriedOnceAndOnlyIt(t *testing.T) {
	w := newWorld(t)
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Impact: "major", Title: "Elevated API errors", Body: "We are investigating.",
		Components: []incident.ComponentStatus{{Name: "API", Status: "partial_outage"}}})
	w.hookFail.Store(500)

	var seen Preview
	res, err := Publish(context.Background(), j, PublishOptions{Targets: w.targets(t), Author: "alice", Confirm: func(p Preview) bool { seen = p; return true }})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(res); got != "public:ok site:ok slack:failed" {
		t.Fatalf("outcomes %s", got)
	}
	if e := res.Err(); e == nil || !strings.Contains(e.Error(), "HTTP 500") || !strings.Contains(e.Error(), "sitrep status retry") {
		t.Errorf("Err() = %v", e)
	}
	if !strings.Contains(seen.String(), `create incident "Elevated API errors" on page pg1abc`) || seen.Chars != len("We are investigating.") {
		t.Errorf("preview:\n%s", seen)
	}
	l := ReadStatus(load(t, j))
	if q := l.Queued(); len(q) != 1 || len(q["slack"]) != 1 {
		t.Fatalf("queued = %v, want the update on slack", q)
	}

	// Retry while the receiver is still down: still queued, nothing else resent.
	if res, err := Retry(context.Background(), j, PublishOptions{Targets: w.targets(t)}); err != nil || outcomes(res) != "slack:failed" {
		t.Fatalf("retry while down: %s, %v", outcomes(res), err)
	}
	w.hookFail.Store(0)
	if res, err := Retry(context.Background(), j, PublishOptions{Targets: w.targets(t)}); err != nil || outcomes(res) != "slack:ok" {
		t.Fatalf("retry: %s, %v", outcomes(res), err)
	}
	if _, err := Retry(context.Background(), j, PublishOptions{Targets: w.targets(t)}); err == nil || !strings.Contains(err.Error(), "nothing to retry") {
		t.Fatalf("third retry: %v", err)
	}
	if _, err := Publish(context.Background(), j, PublishOptions{Targets: w.targets(t), Confirm: yes}); err == nil || !errors.Is(err, ErrNothingToPublish) {
		t.Fatalf("publishing again: %v", err)
	}

	if n := len(w.sp.Log()); n != 1 {
		t.Errorf("statuspage got %d requests, want 1", n)
	}
	if n := w.sections(t); n != 1 {
		t.Errorf("file has %d sections, want 1", n)
	}
	if ok, all := w.hookHits.Load(), w.hookAll.Load(); ok != 1 || all != 3 {
		t.Errorf("webhook: %d delivered of %d requests, want 1 of 3", ok, all)
	}
	if got := ReadStatus(load(t, j)).Latest(); got.Results["slack"].Phase != PhasePublished || got.Results["public"].Ref != "inc001" {
		t.Errorf("results %+v", got.Results)
	}
}

func TestAHungTargetTimesOutWithoutHoldingUpTheOthers(t *testing.T) {
	w := newWorld(t)
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "Looking."})
	w.hookHang.Store(true)
	start := time.Now()
	res, err := Publish(context.Background(), j, PublishOptions{Targets: w.targets(t), Confirm: yes})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("publish took %s with a 300ms timeout on the hung target", d)
	}
	if got := outcomes(res); got != "public:ok site:ok slack:failed" {
		t.Fatalf("outcomes %s", got)
	}
	r := ReadStatus(load(t, j)).Latest().Results["slack"]
	if r.Phase != PhaseFailed || !strings.Contains(r.Error, "timed out") {
		t.Errorf("journaled %+v", r)
	}
	w.hookHang.Store(false)
	if res, err := Retry(context.Background(), j, PublishOptions{Targets: w.targets(t)}); err != nil || outcomes(res) != "slack:ok" {
		t.Fatalf("retry: %s %v", outcomes(res), err)
	}
	if n := len(w.sp.Log()); n != 1 {
		t.Errorf("statuspage got %d requests, want 1", n)
	}
}

func TestARestartedSitrepContinuesTheSameStatuspageIncident(t *testing.T) {
	w := newWorld(t)
	s, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "Looking.", Components: []incident.ComponentStatus{{Name: "API", Status: "major_outage"}}})
	if _, err := Publish(context.Background(), j, PublishOptions{Targets: w.targets(t), Confirm: yes}); err != nil {
		t.Fatal(err)
	}
	j.Close()

	// A new process: new journal handle, new targets, nothing in memory.
	j2, err := s.OpenCurrent("")
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	mustDraft(t, j2, DraftOptions{State: "resolved", Body: "All good."})
	var seen Preview
	if _, err := Publish(context.Background(), j2, PublishOptions{Targets: w.targets(t), Confirm: func(p Preview) bool { seen = p; return true }}); err != nil {
		t.Fatal(err)
	}
	reqs := w.sp.Log()
	if len(reqs) != 2 || reqs[0].Method != http.MethodPost || reqs[1].Method != http.MethodPatch ||
		reqs[1].Path != "/v1/pages/"+publishtest.Page+"/incidents/inc001" {
		t.Fatalf("requests %+v", reqs)
	}
	// Resolving without naming components sets the ones that were down back to operational.
	if got := reqs[1].Body.Components; len(got) != 1 || got["cmpapi01"] != "operational" {
		t.Errorf("resolve components = %v", got)
	}
	if !strings.Contains(seen.String(), "update incident inc001") || !strings.Contains(seen.Markdown, "| API | Operational |") {
		t.Errorf("preview:\n%s", seen)
	}
	if len(w.sp.Incidents) != 1 || len(w.sp.Incidents["inc001"].Updates) != 2 {
		t.Errorf("incidents %+v", w.sp.Incidents)
	}
}

func TestNothingIsSentWhenATargetCannotTakeTheUpdate(t *testing.T) {
	w := newWorld(t)
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "x", Components: []incident.ComponentStatus{{Name: "Database", Status: "major_outage"}}})
	before := len(load(t, j))
	_, err := Publish(context.Background(), j, PublishOptions{Targets: w.targets(t), Confirm: yes})
	if err == nil || !strings.Contains(err.Error(), `"Database"`) || !strings.Contains(err.Error(), `target "public"`) || !strings.Contains(err.Error(), "components:") {
		t.Fatalf("err = %v", err)
	}
	if len(w.sp.Log()) != 0 || w.hookAll.Load() != 0 || w.sections(t) != 0 || len(load(t, j)) != before {
		t.Error("something was sent or journaled")
	}
}

func TestDecliningThePreviewSendsNothing(t *testing.T) {
	w := newWorld(t)
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "x"})
	before := len(load(t, j))
	_, err := Publish(context.Background(), j, PublishOptions{Targets: w.targets(t), Confirm: func(Preview) bool { return false }})
	if !errors.Is(err, ErrNotConfirmed) {
		t.Fatalf("err = %v", err)
	}
	if len(w.sp.Log()) != 0 || w.hookAll.Load() != 0 || len(load(t, j)) != before {
		t.Error("something was sent or journaled")
	}
}

func TestSecretsStayOutOfTheJournalAndErrors(t *testing.T) {
	w := newWorld(t)
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "x"})
	t.Setenv("TEST_SP_KEY", "leaky-key-0042") // rejected; the fake echoes it back
	res, err := Publish(context.Background(), j, PublishOptions{Targets: w.targets(t), Confirm: yes})
	if err != nil {
		t.Fatal(err)
	}
	e := res.Err()
	if e == nil || !strings.Contains(e.Error(), "HTTP 401") || !strings.Contains(e.Error(), "$TEST_SP_KEY") {
		t.Fatalf("Err() = %v", e)
	}
	raw, err := os.ReadFile(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"leaky-key-0042", publishtest.Key, "hooksecret"} {
		if strings.Contains(string(raw), secret) || strings.Contains(e.Error(), secret) {
			t.Errorf("%q leaked into the journal or the error", secret)
		}
	}
}

func TestACrashMidPublishResumesWithTheUnansweredTargets(t *testing.T) {
	w := newWorld(t)
	_, j := newIncident(t)
	d := mustDraft(t, j, DraftOptions{State: "investigating", Body: "x"})
	// The process died after the file target's result was journaled,
	// before the others answered.
	d.Phase, d.Target, d.TargetRef = PhasePublished, "site", w.file
	if _, err := j.Append(incident.Draft{Kind: incident.KindStatus, Data: d}); err != nil {
		t.Fatal(err)
	}
	res, err := Publish(context.Background(), j, PublishOptions{Targets: w.targets(t), Confirm: yes})
	if err != nil || outcomes(res) != "public:ok slack:ok" {
		t.Fatalf("outcomes %s, %v", outcomes(res), err)
	}
	if w.sections(t) != 0 {
		t.Error("the file target got the update again")
	}
}

func TestALaterPublishedUpdateSupersedesAFailedOne(t *testing.T) {
	w := newWorld(t)
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "first"})
	w.hookFail.Store(503)
	if _, err := Publish(context.Background(), j, PublishOptions{Targets: w.targets(t), Confirm: yes}); err != nil {
		t.Fatal(err)
	}
	w.hookFail.Store(0)
	mustDraft(t, j, DraftOptions{State: "identified", Body: "second"})
	if res, err := Publish(context.Background(), j, PublishOptions{Targets: w.targets(t), Confirm: yes}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if _, err := Retry(context.Background(), j, PublishOptions{Targets: w.targets(t)}); err == nil || !strings.Contains(err.Error(), "nothing to retry") {
		t.Fatalf("retry: %v", err)
	}
	if w.hookHits.Load() != 1 {
		t.Errorf("webhook delivered %d, want 1 (only the newer update)", w.hookHits.Load())
	}
	if s := FormatStatus(ReadStatus(load(t, j))); !strings.Contains(s, "superseded by") {
		t.Errorf("show:\n%s", s)
	}
}

// fakeTarget is a publish.Target whose behaviour a test sets.
type fakeTarget struct {
	name string
	mu   sync.Mutex
	fail error
	sent []publish.Update
}

func (f *fakeTarget) Name() string                   { return f.name }
func (f *fakeTarget) Provider() string               { return "fake" }
func (f *fakeTarget) Timeout() time.Duration         { return time.Second }
func (f *fakeTarget) Check(publish.Update) error     { return nil }
func (f *fakeTarget) Describe(publish.Update) string { return "send" }
func (f *fakeTarget) Publish(_ context.Context, u publish.Update) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return "", f.fail
	}
	f.sent = append(f.sent, u)
	if u.Ref != "" {
		return u.Ref, nil
	}
	return "ref-" + u.Data.UpdateID, nil
}

func TestRetrySendsQueuedUpdatesOldestFirstAndCarriesTheNewRef(t *testing.T) {
	_, j := newIncident(t)
	a := &fakeTarget{name: "a", fail: errors.New("down")}
	b := &fakeTarget{name: "b"}
	ts := []publish.Target{a, b}
	u1 := mustDraft(t, j, DraftOptions{State: "investigating", Body: "one"})
	Publish(context.Background(), j, PublishOptions{Targets: ts, Confirm: yes})
	u2 := mustDraft(t, j, DraftOptions{State: "identified", Body: "two"})
	Publish(context.Background(), j, PublishOptions{Targets: ts, Confirm: yes})

	a.fail = nil
	res, err := Retry(context.Background(), j, PublishOptions{Targets: ts})
	if err != nil || outcomes(res) != "a:ok a:ok" {
		t.Fatalf("retry %s %v", outcomes(res), err)
	}
	if len(a.sent) != 2 || a.sent[0].Data.UpdateID != u1.UpdateID || a.sent[1].Data.UpdateID != u2.UpdateID {
		t.Fatalf("a got %+v", a.sent)
	}
	if a.sent[0].Ref != "" || a.sent[1].Ref != "ref-"+u1.UpdateID {
		t.Errorf("refs %q, %q: the second must continue what the first created", a.sent[0].Ref, a.sent[1].Ref)
	}
	if len(b.sent) != 2 {
		t.Errorf("b got %d updates, want 2 (never twice)", len(b.sent))
	}
}

func TestRetryStopsATargetAtItsFirstFailure(t *testing.T) {
	_, j := newIncident(t)
	a := &fakeTarget{name: "a", fail: errors.New("down")}
	ts := []publish.Target{a}
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "one"})
	Publish(context.Background(), j, PublishOptions{Targets: ts, Confirm: yes})
	mustDraft(t, j, DraftOptions{State: "identified", Body: "two"})
	Publish(context.Background(), j, PublishOptions{Targets: ts, Confirm: yes})
	res, err := Retry(context.Background(), j, PublishOptions{Targets: ts})
	if err != nil || outcomes(res) != "a:failed a:skipped" {
		t.Fatalf("retry %s %v", outcomes(res), err)
	}
}

func TestRetryReportsTargetsNoLongerConfigured(t *testing.T) {
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "one"})
	Publish(context.Background(), j, PublishOptions{Targets: []publish.Target{&fakeTarget{name: "old", fail: errors.New("down")}}, Confirm: yes})
	res, err := Retry(context.Background(), j, PublishOptions{Targets: []publish.Target{&fakeTarget{name: "new"}}})
	if err != nil || outcomes(res) != "old:skipped" || !strings.Contains(res.Outcomes[0].Skipped, "no longer in the config") {
		t.Fatalf("retry %+v %v", res, err)
	}
}

func TestOnlyOneSessionPublishesAtATime(t *testing.T) {
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "one"})
	err := withPublishLock(j, func() error {
		_, err := Publish(context.Background(), j, PublishOptions{Targets: []publish.Target{&fakeTarget{name: "a"}}, Confirm: yes})
		return err
	})
	if !errors.Is(err, errPublishing) {
		t.Fatalf("err = %v", err)
	}
}

func TestPublishRefusesADraftChangedSinceThePreview(t *testing.T) {
	_, j := newIncident(t)
	ts := []publish.Target{&fakeTarget{name: "a"}}
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "one"})
	p, err := PreviewStatus(j, ts, t0)
	if err != nil {
		t.Fatal(err)
	}
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "one, edited by bob"})
	if _, err := Publish(context.Background(), j, PublishOptions{Targets: ts, Seen: &p}); err == nil || !strings.Contains(err.Error(), "changed since the preview") {
		t.Fatalf("err = %v", err)
	}
	p, _ = PreviewStatus(j, ts, t0)
	if res, err := Publish(context.Background(), j, PublishOptions{Targets: ts, Seen: &p}); err != nil || outcomes(res) != "a:ok" {
		t.Fatalf("%s %v", outcomes(res), err)
	}
}

func TestADraftIsNotEditedWhilePublishing(t *testing.T) {
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{State: "investigating", Body: "one"})
	old := draftPatience
	draftPatience = 100 * time.Millisecond
	defer func() { draftPatience = old }()
	err := withPublishLock(j, func() error {
		_, _, err := Draft(j, DraftOptions{State: "investigating", Body: "edited mid-publish"})
		return err
	})
	if !errors.Is(err, errPublishing) {
		t.Fatalf("err = %v", err)
	}
	if l, _ := Show(j); l.Latest().Draft.Body != "one" {
		t.Error("the draft changed during a publish")
	}
}
