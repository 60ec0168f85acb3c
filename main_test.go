package main

// End-to-end tests of the built binary: several real processes writing one
// journal, writers killed with SIGKILL, and the exit codes and one-line
// errors the CLI contract promises.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/testbin"
)

var sitrepBin string

func TestMain(m *testing.M) { testbin.Main(m, "SITREP_HELPER_WRITER", &sitrepBin) }

// sitrep runs the binary with a private data dir and returns stdout,
// stderr and the exit code.
func sitrep(t *testing.T, data string, args ...string) (string, string, int) {
	t.Helper()
	return testbin.Run(t, sitrepBin, []string{"SITREP_DATA=" + data}, args...)
}

func openIncident(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	if _, stderr, code := sitrep(t, data, "open", "--sev", "2", "Checkout 5xx"); code != 0 {
		t.Fatalf("open: %s", stderr)
	}
	return data
}

func loadJournal(t *testing.T, data string) []incident.Entry {
	t.Helper()
	s := incident.Store{Dir: data}
	j, err := s.OpenCurrent("")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Check(); err != nil {
		t.Fatal(err)
	}
	entries, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	if b, err := j.Verify(); err != nil || b != nil {
		t.Fatalf("hash chain: %+v %v", b, err)
	}
	return entries
}

func TestFourProcessesAppendWithoutLoss(t *testing.T) {
	data := openIncident(t)
	const writers, each = 4, 250
	if testing.Short() {
		t.Skip("spawns 1,000 processes")
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				cmd := exec.Command(sitrepBin, "log", fmt.Sprintf("writer %d entry %d", w, i))
				cmd.Env = append(os.Environ(), "SITREP_DATA="+data)
				if out, err := cmd.CombinedOutput(); err != nil {
					errs <- fmt.Errorf("writer %d: %v: %s", w, err, out)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	entries := loadJournal(t, data)
	if len(entries) != writers*each+1 {
		t.Fatalf("journal has %d entries, want %d", len(entries), writers*each+1)
	}
	seen := map[string]bool{}
	for i, e := range entries {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		if seen[e.Text] {
			t.Fatalf("duplicate entry %q", e.Text)
		}
		seen[e.Text] = true
	}
}

// TestKilledWritersLoseNothingAcknowledged runs writer processes that print
// each seq only after Append returned (fsync done), kills them with SIGKILL
// at random moments, and checks every printed seq is in the journal and the
// journal still opens and verifies.
func TestKilledWritersLoseNothingAcknowledged(t *testing.T) {
	data := openIncident(t)
	trials := 40
	if testing.Short() {
		trials = 8
	}
	if n, err := strconv.Atoi(os.Getenv("SITREP_CRASH_TRIALS")); err == nil {
		trials = n
	}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	acked := map[int64]string{}
	for trial := 0; trial < trials; trial++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
		cmd.Env = append(os.Environ(), "SITREP_HELPER_WRITER=1", "SITREP_DATA="+data, fmt.Sprintf("SITREP_WRITER_TAG=t%d", trial))
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Kill at a random moment once the writer is appending.
		got := []string{}
		select {
		case l, ok := <-lines:
			if ok {
				got = append(got, l)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("writer did not start")
		}
		time.Sleep(time.Duration(rng.Intn(20000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines {
			got = append(got, l)
		}
		for _, l := range got {
			seqStr, text, ok := strings.Cut(l, " ")
			if !ok {
				continue
			}
			seq, _ := strconv.ParseInt(seqStr, 10, 64)
			acked[seq] = text
		}
		cmd.Wait()
	}
	entries := loadJournal(t, data)
	bySeq := map[int64]string{}
	for _, e := range entries {
		bySeq[e.Seq] = e.Text
	}
	for seq, text := range acked {
		if bySeq[seq] != text {
			t.Errorf("acknowledged entry %d %q is missing (journal has %q)", seq, text, bySeq[seq])
		}
	}
	if len(acked) == 0 {
		t.Fatal("no writer acknowledged anything: the test measured nothing")
	}
	t.Logf("%d trials, %d acknowledged entries, all present; journal has %d entries", trials, len(acked), len(entries))
}

// TestHelperWriter is the writer process of the crash test, not a test.
func TestHelperWriter(t *testing.T) {
	if os.Getenv("SITREP_HELPER_WRITER") != "1" {
		t.Skip("helper process for TestKilledWritersLoseNothingAcknowledged")
	}
	s := incident.Store{Dir: os.Getenv("SITREP_DATA")}
	j, err := s.OpenCurrent("")
	if err != nil {
		t.Fatal(err)
	}
	tag := os.Getenv("SITREP_WRITER_TAG")
	for i := 0; ; i++ {
		text := fmt.Sprintf("%s-%d", tag, i)
		e, err := j.Append(incident.Draft{Kind: incident.KindNote, Text: text, Author: "writer"})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("%d %s\n", e.Seq, text) // acknowledged: on disk
	}
}

func TestCLIErrors(t *testing.T) {
	data := openIncident(t)
	fullFile := filepath.Join(t.TempDir(), "plainfile")
	os.WriteFile(fullFile, nil, 0o600)
	tests := []struct {
		name     string
		data     string
		args     []string
		code     int
		contains string
	}{
		{"unknown incident", data, []string{"log", "--incident", "2020-01-01-nope", "x"}, 1, `no incident "2020-01-01-nope"`},
		{"bad --at", data, []string{"log", "--at", "25:99", "x"}, 1, `--at "25:99" is not a time`},
		{"future --at", data, []string{"log", "--at", "2999-01-01T00:00:00Z", "x"}, 1, "in the future"},
		{"empty text", data, []string{"log", "   "}, 1, "entry text is empty"},
		{"kind not loggable", data, []string{"log", "--kind", "flag", "x"}, 1, `kind "flag" cannot be logged by hand`},
		{"unwritable data dir", filepath.Join(fullFile, "sub"), []string{"open", "x"}, 1, "cannot create the data directory"},
		{"no current incident", t.TempDir(), []string{"log", "x"}, 1, "no current incident"},
		{"unknown flag is usage", data, []string{"log", "--nope", "x"}, 2, "unknown flag --nope"},
		{"unknown command is usage", data, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"redact without reason", data, []string{"redact", "1"}, 1, "--reason"},
		{"redact missing entry", data, []string{"redact", "99", "--reason", "x"}, 1, "no entry 99"},
		{"bad export format", data, []string{"export", "--format", "pdf"}, 1, `unknown export format "pdf"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before []byte
			if p, err := filepath.Glob(filepath.Join(tt.data, "incidents", "*", "journal.jsonl")); err == nil && len(p) == 1 {
				before, _ = os.ReadFile(p[0])
			}
			stdout, stderr, code := sitrep(t, tt.data, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if !strings.Contains(first, tt.contains) || !strings.HasPrefix(first, "sitrep: ") {
				t.Errorf("first stderr line %q does not contain %q", first, tt.contains)
			}
			if stdout != "" {
				t.Errorf("stdout on error: %q", stdout)
			}
			if p, err := filepath.Glob(filepath.Join(tt.data, "incidents", "*", "journal.jsonl")); err == nil && len(p) == 1 {
				after, _ := os.ReadFile(p[0])
				if !bytes.Equal(before, after) {
					t.Error("journal changed by a failed command")
				}
			}
		})
	}
}

func TestLogTimelineExportRoundTrip(t *testing.T) {
	data := openIncident(t)
	steps := [][]string{
		{"log", "--kind", "started", "--at", "00:00", "impact began"},
		{"log", "error rate \x1b[2J climbing"},
		{"log", "--kind", "detected", "pager fired"},
		{"log", "--kind", "action", "add timeouts @bob"},
	}
	for _, s := range steps {
		if _, stderr, code := sitrep(t, data, s...); code != 0 {
			t.Fatalf("%v: %s", s, stderr)
		}
	}
	out, _, code := sitrep(t, data, "timeline", "--json")
	if code != 0 {
		t.Fatal(out)
	}
	var first struct {
		Kind string `json:"kind"`
	}
	json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first)
	if first.Kind != "started" {
		t.Errorf("timeline is not sorted by time: first kind %q", first.Kind)
	}
	if strings.Contains(out, "\x1b") {
		t.Error("timeline printed a raw escape")
	}
	md, _, _ := sitrep(t, data, "export")
	for _, want := range []string{"# Postmortem: Checkout 5xx", "| Detected |", "- [ ] add timeouts @bob (bob)"} {
		if !strings.Contains(md, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	if strings.Contains(md, "\x1b") {
		t.Error("export contains a raw escape")
	}
	out, _, code = sitrep(t, data, "verify")
	if code != 0 || !strings.HasPrefix(out, "ok: 5 entries") {
		t.Errorf("verify: %d %q", code, out)
	}
}
