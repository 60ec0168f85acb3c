package fault

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
)

const (
	helperEnv = "SITREP_FAULT_WRITER"
	writers   = 4
)

// writerProc is one writer process and the entries it acknowledged.
type writerProc struct {
	cmd   *exec.Cmd
	lines chan string // "seq text", printed after Append returned
	first chan struct{}
}

func startWriter(t *testing.T, data, tag string) *writerProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFaultHelperWriter$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "SITREP_FAULT_DATA="+data, "SITREP_FAULT_TAG="+tag)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start writer %s: %v", tag, err)
	}
	w := &writerProc{cmd: cmd, lines: make(chan string, 1<<16), first: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stdout)
		n := 0
		for sc.Scan() {
			w.lines <- sc.Text()
			if n++; n == 1 {
				close(w.first)
			}
		}
		close(w.lines)
	}()
	return w
}

// faultTrials is the number of kill -9 trials.
func faultTrials(t *testing.T) int {
	if s := os.Getenv("SITREP_FAULT_TRIALS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("SITREP_FAULT_TRIALS=%q: want a positive number", s)
		}
		return n
	}
	if testing.Short() {
		return 20
	}
	return 50
}

// TestFaultKilledWritersLoseNothingAcknowledged runs 4 writer processes on
// one journal per trial and SIGKILLs them at random moments (all at once,
// or one by one while the others keep appending). After every trial the
// journal must open, check and load, its hash chain and seqs must hold,
// and every entry a writer printed (it prints only after Append returned)
// must be in it.
func TestFaultKilledWritersLoseNothingAcknowledged(t *testing.T) {
	trials := faultTrials(t)
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	base := t.TempDir()
	var acked, lost, unreadable, entries, asides int
	start := time.Now()
	for trial := 0; trial < trials; trial++ {
		data := filepath.Join(base, strconv.Itoa(trial))
		store := incident.Store{Dir: data}
		j, _, err := store.Create("kill -9 trial", 2, "tester", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		id := j.ID()
		j.Close()

		ws := make([]*writerProc, writers)
		for i := range ws {
			ws[i] = startWriter(t, data, fmt.Sprintf("t%d-w%d", trial, i))
		}
		for i, w := range ws {
			select {
			case <-w.first:
			case <-time.After(10 * time.Second):
				t.Fatalf("trial %d: writer %d acknowledged nothing in 10 s", trial, i)
			}
		}
		killAll(ws, rng)

		got := map[int64]string{}
		for _, w := range ws {
			for l := range w.lines {
				seqStr, text, ok := strings.Cut(l, " ")
				seq, err := strconv.ParseInt(seqStr, 10, 64)
				if !ok || err != nil {
					t.Fatalf("trial %d: writer printed %q", trial, l)
				}
				if prev, dup := got[seq]; dup {
					t.Errorf("trial %d: seq %d acknowledged twice (%q and %q)", trial, seq, prev, text)
				}
				got[seq] = text
			}
			_ = w.cmd.Wait()
		}
		acked += len(got)

		n, missing, err := checkJournal(store, id, got)
		if err != nil {
			unreadable++
			t.Errorf("trial %d (seed %d): journal unreadable: %v", trial, seed, err)
		}
		entries += n
		lost += len(missing)
		for _, m := range missing {
			t.Errorf("trial %d (seed %d): %s", trial, seed, m)
		}
		aside, _ := filepath.Glob(filepath.Join(data, "incidents", id, incident.JournalFile+".corrupt-*"))
		asides += len(aside)
		os.RemoveAll(data)
	}
	if acked == 0 {
		t.Fatal("no writer acknowledged anything: the test measured nothing")
	}
	t.Logf("FAULT kill-9: %d trials × %d writers, %d acknowledged entries, %d lost, %d unreadable journals, %d torn tails set aside, %d entries on disk, %s (seed %d)",
		trials, writers, acked, lost, unreadable, asides, entries, time.Since(start).Round(time.Second), seed)
}

// killAll SIGKILLs the writers: half the trials all at one random moment,
// the others one by one at random moments, so some die while the rest
// are appending.
func killAll(ws []*writerProc, rng *rand.Rand) {
	if rng.Intn(2) == 0 {
		time.Sleep(time.Duration(rng.Intn(30000)) * time.Microsecond)
		for _, w := range ws {
			_ = w.cmd.Process.Signal(syscall.SIGKILL)
		}
		return
	}
	for _, i := range rng.Perm(len(ws)) {
		time.Sleep(time.Duration(rng.Intn(15000)) * time.Microsecond)
		_ = ws[i].cmd.Process.Signal(syscall.SIGKILL)
	}
}

// checkJournal opens the journal the way sitrep does (Open, Check, Load,
// Verify) and returns its entry count and each acknowledged entry that is
// missing or different.
func checkJournal(store incident.Store, id string, acked map[int64]string) (int, []string, error) {
	j, err := store.Open(id)
	if err != nil {
		return 0, nil, fmt.Errorf("open: %w", err)
	}
	defer j.Close()
	if err := j.Check(); err != nil {
		return 0, nil, fmt.Errorf("check: %w", err)
	}
	es, err := j.Load()
	if err != nil {
		return 0, nil, fmt.Errorf("load: %w", err)
	}
	if b, err := j.Verify(); err != nil || b != nil {
		return len(es), nil, fmt.Errorf("hash chain broken: %+v %v", b, err)
	}
	bySeq := map[int64]string{}
	for i, e := range es {
		if e.Seq != int64(i+1) {
			return len(es), nil, fmt.Errorf("entry %d has seq %d: seqs must be gap-free", i+1, e.Seq)
		}
		bySeq[e.Seq] = e.Text
	}
	var missing []string
	for seq, text := range acked {
		if got, ok := bySeq[seq]; !ok || got != text {
			missing = append(missing, fmt.Sprintf("acknowledged entry %d %q is missing (journal has %q)", seq, text, got))
		}
	}
	return len(es), missing, nil
}

// TestFaultHelperWriter is a writer process of the kill -9 trials, not a
// test: it appends forever and prints each seq after Append returned.
func TestFaultHelperWriter(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("writer process for TestFaultKilledWritersLoseNothingAcknowledged")
	}
	j, err := (incident.Store{Dir: os.Getenv("SITREP_FAULT_DATA")}).OpenCurrent("")
	if err != nil {
		t.Fatal(err)
	}
	tag := os.Getenv("SITREP_FAULT_TAG")
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		text := fmt.Sprintf("%s-%d", tag, i)
		e, err := j.Append(incident.Draft{Kind: incident.KindNote, Text: text, Author: "writer"})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(out, "%d %s\n", e.Seq, text) // acknowledged: on disk
		out.Flush()
	}
}
