package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sitrep-dev/sitrep/incident"
)

const cliFlagFile = `{"flags": {
  "async-updates": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on",
    "targeting": {"if": [true, "on", null]}},
  "dark-mode": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}
}}
`

// flagWorld is a data dir, a flag file, a /metrics endpoint and a config
// naming them.
type flagWorld struct {
	data, flagPath, config string
}

func newFlagWorld(t *testing.T, withIncident bool) flagWorld {
	t.Helper()
	dir := t.TempDir()
	w := flagWorld{data: filepath.Join(dir, "data"), flagPath: filepath.Join(dir, "flags.json"), config: filepath.Join(dir, "sitrep.yaml")}
	if err := os.WriteFile(w.flagPath, []byte(cliFlagFile), 0o644); err != nil {
		t.Fatal(err)
	}
	metrics := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		io.WriteString(rw, "# TYPE pg_stat_activity_count gauge\npg_stat_activity_count 97\n")
	}))
	t.Cleanup(metrics.Close)
	cfg := fmt.Sprintf("metrics:\n  - {name: DB connections, scrape: %s/metrics, series: pg_stat_activity_count, crit: 95}\nflags:\n  - {provider: file, name: flagd, path: %s}\n",
		metrics.URL, w.flagPath)
	if err := os.WriteFile(w.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if withIncident {
		if code, _, stderr := w.run(t, "", false, "open", "DB overload"); code != 0 {
			t.Fatalf("open: %s", stderr)
		}
	}
	return w
}

func (w flagWorld) run(t *testing.T, stdin string, tty bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, IsTTY: tty}
	code := Main(append([]string{"--data", w.data, "-c", w.config, "--author", "alice@bastion"}, args...), e)
	return code, out.String(), errb.String()
}

func (w flagWorld) flagFile(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(w.flagPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// flagEntries returns the outcome entries of flag changes (not the
// write-ahead "sending" entries that precede them).
func (w flagWorld) flagEntries(t *testing.T) []incident.FlagData {
	t.Helper()
	s := incident.Store{Dir: w.data}
	j, err := s.OpenCurrent("")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	entries, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	var out []incident.FlagData
	for _, e := range entries {
		if e.Kind == incident.KindFlag {
			var d incident.FlagData
			if err := e.Decode(&d); err != nil {
				t.Fatal(err)
			}
			if d.Result != incident.FlagSending {
				out = append(out, d)
			}
		}
	}
	return out
}

func TestFlagOffOnATerminalNeedsTheTypedKey(t *testing.T) {
	w := newFlagWorld(t, true)
	code, out, stderr := w.run(t, "async-updates\n", true, "flag", "off", "async-updates", "--reason", "DB at max connections")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"change:   on (variant on, targeting) → off (variant off, targeting)", "type the flag key (async-updates) to confirm: ",
		"killed flag flagd/async-updates", "(entry 3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	ds := w.flagEntries(t)
	if len(ds) != 1 || ds[0].Reason != "DB at max connections" || len(ds[0].Evidence) != 1 || ds[0].Evidence[0].Value != 97 || ds[0].Evidence[0].State != "crit" {
		t.Errorf("journal %+v; want the kill with the probed DB connections as evidence", ds)
	}
	if !strings.Contains(w.flagFile(t), `"defaultVariant": "off"`) {
		t.Error("the flag file was not changed")
	}
}

func TestFlagOffRefusals(t *testing.T) {
	for _, tc := range []struct {
		name     string
		incident bool
		stdin    string
		tty      bool
		args     []string
		code     int
		stderr   string
	}{
		{"wrong key typed", true, "async\n", true, nil, 1, `typed "async", not "async-updates": nothing changed`},
		{"no terminal and no --yes", true, "", false, nil, 2, "stdin is not a terminal, so it cannot ask for confirmation: add --yes"},
		{"no incident", false, "", false, []string{"--yes"}, 1, "sitrep open"},
		{"unknown flag", true, "", false, []string{"--yes", "--provider", "flagd"}, 1, `no flag "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newFlagWorld(t, tc.incident)
			name := "async-updates"
			if tc.name == "unknown flag" {
				name = "nope"
			}
			code, _, stderr := w.run(t, tc.stdin, tc.tty, append([]string{"flag", "off", name}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.stderr)
			}
			if w.flagFile(t) != cliFlagFile {
				t.Error("the flag file changed")
			}
		})
	}
}

func TestFlagDryRunChangesAndJournalsNothingEvenWithoutAnIncident(t *testing.T) {
	w := newFlagWorld(t, false)
	code, out, stderr := w.run(t, "", false, "flag", "off", "flagd/async-updates", "--dry-run", "--drop-targeting")
	if code != 0 || !strings.Contains(out, "targeting removed") || !strings.Contains(out, "dry run: nothing changed, nothing journaled") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	if w.flagFile(t) != cliFlagFile {
		t.Error("a dry run changed the flag file")
	}
}

func TestFlagRestoreWithYesPutsTheFileBack(t *testing.T) {
	w := newFlagWorld(t, true)
	if code, _, stderr := w.run(t, "", false, "flag", "off", "async-updates", "--yes", "--drop-targeting"); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := w.run(t, "", false, "flag", "restore", "async-updates", "--yes")
	if code != 0 || !strings.Contains(out, "undoes:   journal entry 3") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if w.flagFile(t) != cliFlagFile {
		t.Errorf("restore did not give back the file:\n%s", w.flagFile(t))
	}
	if ds := w.flagEntries(t); len(ds) != 2 || ds[1].Action != "restore" {
		t.Errorf("journal %+v", ds)
	}
}

func TestFlagList(t *testing.T) {
	w := newFlagWorld(t, true)
	code, out, stderr := w.run(t, "", false, "flag", "list")
	if code != 0 {
		t.Fatal(stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "PROVIDER") || !strings.Contains(lines[1], "async-updates") || !strings.Contains(lines[2], "off (variant off)") {
		t.Errorf("table:\n%s", out)
	}
	code, out, _ = w.run(t, "", false, "flag", "list", "--json")
	var fs []map[string]any
	if err := json.Unmarshal([]byte(out), &fs); code != 0 || err != nil || len(fs) != 2 || fs[0]["key"] != "async-updates" || fs[0]["on"] != true {
		t.Errorf("json (%v):\n%s", err, out)
	}
}

func TestFlagUsageErrors(t *testing.T) {
	w := newFlagWorld(t, false)
	for _, args := range [][]string{{"flag"}, {"flag", "kill", "x"}, {"flag", "off"}, {"flag", "off", "a", "b"}, {"flag", "list", "x"}} {
		if code, _, _ := w.run(t, "", false, args...); code != 2 {
			t.Errorf("%q: exit %d; want 2", args, code)
		}
	}
}
