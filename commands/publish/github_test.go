package publish

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/config"
)

// fakeGitHub serves the two issue endpoints the github target uses, under
// a GitHub Enterprise style prefix, checking the token.
type fakeGitHub struct {
	mu       sync.Mutex
	issues   map[int]string   // number -> title
	comments map[int][]string // number -> bodies
	calls    []string
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	if r.Header.Get("Authorization") != "Bearer gh-token-abc" {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message":"Bad credentials"}`)
		return
	}
	var in struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/v3/repos/org/svc/issues":
		n := len(f.issues) + 7
		f.issues[n] = in.Title
		f.comments[n] = []string{in.Body}
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"number": n, "title": in.Title, "html_url": "https://ghe.example/org/svc/issues/7"})
	case r.Method == http.MethodPost && r.URL.Path == "/api/v3/repos/org/svc/issues/7/comments":
		f.comments[7] = append(f.comments[7], in.Body)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"id": 99, "body": in.Body})
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"Not Found"}`)
	}
}

func TestGitHubOpensTheTrackingIssueThenComments(t *testing.T) {
	f := &fakeGitHub{issues: map[int]string{}, comments: map[int][]string{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	t.Setenv("TEST_GH_TOKEN", "gh-token-abc")
	g, err := NewGitHub(config.StatusTarget{Provider: "github", Name: "tracking", Timeout: config.Duration(2 * time.Second)},
		&config.GitHub{Repos: []string{"org/svc"}, PostmortemRepo: "org/svc", TokenEnv: "TEST_GH_TOKEN", BaseURL: srv.URL + "/api/v3/"})
	if err != nil {
		t.Fatal(err)
	}
	u := spUpdate("investigating", "x")
	u.Markdown = "**Investigating**\n\nLooking.\n"
	if d := g.Describe(u); d != `open tracking issue "API errors" in org/svc` {
		t.Errorf("Describe = %q", d)
	}
	ref, err := g.Publish(ctxTimeout(t, 2*time.Second), u)
	if err != nil || ref != "7" {
		t.Fatalf("ref %q err %v", ref, err)
	}
	u.Ref, u.Markdown = ref, "**Identified**\n\nFound.\n"
	if d := g.Describe(u); d != "comment on org/svc#7" {
		t.Errorf("Describe = %q", d)
	}
	if ref2, err := g.Publish(ctxTimeout(t, 2*time.Second), u); err != nil || ref2 != "7" {
		t.Fatalf("comment: ref %q err %v", ref2, err)
	}
	if f.issues[7] != "API errors" || len(f.comments[7]) != 2 ||
		!strings.HasPrefix(f.comments[7][0], "**Investigating**") || !strings.Contains(f.comments[7][0], "2026-11-27-api-errors") ||
		f.comments[7][1] != u.Markdown {
		t.Errorf("issues %v comments %v", f.issues, f.comments)
	}

	t.Setenv("TEST_GH_TOKEN", "gh-wrong-token")
	_, err = g.Publish(ctxTimeout(t, 2*time.Second), u)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "$TEST_GH_TOKEN") || strings.Contains(err.Error(), "gh-wrong-token") {
		t.Errorf("bad token: %v", err)
	}
}

func TestGitHubRefusesABadJournaledRef(t *testing.T) {
	t.Setenv("TEST_GH_TOKEN", "gh-token-abc")
	g, err := NewGitHub(config.StatusTarget{Provider: "github", Repo: "org/svc", TokenEnv: "TEST_GH_TOKEN"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := spUpdate("investigating", "x")
	u.Ref = "7/../../x"
	if _, err := g.Publish(ctxTimeout(t, time.Second), u); err == nil || !strings.Contains(err.Error(), "not an issue number") {
		t.Errorf("err = %v", err)
	}
}

func TestBuildMakesEveryTarget(t *testing.T) {
	cfg, err := config.Parse("sitrep.yaml", []byte(`
status:
  - {provider: statuspage, page: p1, token_env: X, components: {API: c1}}
  - {provider: github, repo: org/svc, token_env: Y}
  - {provider: webhook, url: http://127.0.0.1:1/x, format: full, timeout: 3s}
  - {provider: file, path: /tmp/status.md}
`))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range ts {
		got = append(got, tg.Name()+"/"+tg.Provider()+"/"+tg.Timeout().String())
	}
	if want := "statuspage/statuspage/10s github/github/10s webhook/webhook/3s file/file/10s"; strings.Join(got, " ") != want {
		t.Errorf("targets %v, want %s", got, want)
	}
}
