package incident

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// newJournal creates an empty incident journal in a temp dir.
func newJournal(t *testing.T) *Journal {
	t.Helper()
	s := Store{Dir: t.TempDir()}
	j, _, err := s.Create("test incident", 2, "alice@bastion", time.Date(2026, 5, 11, 5, 45, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func mustAppend(t *testing.T, j *Journal, text string) Entry {
	t.Helper()
	e, err := j.Append(Draft{Kind: KindNote, Text: text, Author: "alice@bastion"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestAppendAssignsSeqAndChainsHashes(t *testing.T) {
	j := newJournal(t)
	for i := 0; i < 5; i++ {
		mustAppend(t, j, "note")
	}
	entries, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 6 {
		t.Fatalf("got %d entries, want 6", len(entries))
	}
	data, _ := os.ReadFile(j.Path())
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	for i, e := range entries {
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d has seq %d", i, e.Seq)
		}
		want := ""
		if i > 0 {
			want = hashLine(lines[i-1])
		}
		if e.Prev != want {
			t.Errorf("entry %d prev = %q, want %q", e.Seq, e.Prev, want)
		}
		if e.At.Location() != time.UTC {
			t.Errorf("entry %d time not in UTC: %v", e.Seq, e.At)
		}
	}
	if b, err := j.Verify(); err != nil || b != nil {
		t.Fatalf("Verify = %+v, %v; want intact", b, err)
	}
}

func TestAppendKeepsFieldOrderOnDisk(t *testing.T) {
	j := newJournal(t)
	mustAppend(t, j, "x <y> & z")
	data, _ := os.ReadFile(j.Path())
	last := string(bytes.Split(bytes.TrimSpace(data), []byte("\n"))[1])
	order := []string{`"seq":`, `"at":`, `"author":`, `"kind":`, `"text":`, `"prev":`}
	pos := -1
	for _, k := range order {
		i := strings.Index(last, k)
		if i <= pos {
			t.Fatalf("field %s out of order in %s", k, last)
		}
		pos = i
	}
	if !strings.Contains(last, `x <y> & z`) {
		t.Errorf("HTML characters were escaped: %s", last)
	}
}

func TestTwoHandlesInterleaveWithoutGapsOrDuplicates(t *testing.T) {
	j1 := newJournal(t)
	j2, err := OpenJournal(j1.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	var wg sync.WaitGroup
	for _, j := range []*Journal{j1, j2, j1, j2} {
		wg.Add(1)
		go func(j *Journal) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, err := j.Append(Draft{Kind: KindNote, Text: "x"}); err != nil {
					t.Error(err)
					return
				}
			}
		}(j)
	}
	wg.Wait()
	entries, err := j1.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 201 {
		t.Fatalf("got %d entries, want 201", len(entries))
	}
	if b, _ := j1.Verify(); b != nil {
		t.Fatalf("chain broken: %+v", b)
	}
}

func TestTornEndIsMovedAsideAndChainContinues(t *testing.T) {
	tests := []struct {
		name string
		tail string // appended raw after the good entries
	}{
		{"half a line", `{"seq":3,"at":"2026-05-11T05:50:00Z","auth`},
		{"a complete garbage line", "\x00\x00\x00\x00\x00\n"},
		{"garbage then half a line", "not json\n{\"seq\":"},
		{"a line with the wrong seq", `{"seq":9,"at":"2026-05-11T05:50:00Z","author":"a","kind":"note","text":"x","prev":""}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJournal(t)
			mustAppend(t, j, "good")
			j.Close()
			f, _ := os.OpenFile(j.Path(), os.O_WRONLY|os.O_APPEND, 0)
			f.WriteString(tt.tail)
			f.Close()

			j2, err := OpenJournal(j.Path())
			if err != nil {
				t.Fatal(err)
			}
			defer j2.Close()
			var rec []Recovery
			j2.OnRecover = func(r Recovery) { rec = append(rec, r) }
			// Loading before repair already yields the good prefix.
			entries, err := j2.Load()
			if err != nil {
				t.Fatalf("Load with a torn end: %v", err)
			}
			if len(entries) != 2 {
				t.Fatalf("good prefix has %d entries, want 2", len(entries))
			}
			e := mustAppendTo(t, j2, "after crash")
			if e.Seq != 3 {
				t.Errorf("next seq = %d, want 3", e.Seq)
			}
			if len(rec) != 1 {
				t.Fatalf("recoveries = %d, want 1", len(rec))
			}
			saved, err := os.ReadFile(rec[0].SavedAs)
			if err != nil || string(saved) != tt.tail {
				t.Errorf("saved bytes = %q (%v), want %q", saved, err, tt.tail)
			}
			if b, _ := j2.Verify(); b != nil {
				t.Fatalf("chain broken after recovery: %+v", b)
			}
		})
	}
}

func mustAppendTo(t *testing.T, j *Journal, text string) Entry {
	t.Helper()
	return mustAppend(t, j, text)
}

func TestCorruptMiddleLineIsAnErrorNamingTheLine(t *testing.T) {
	j := newJournal(t)
	mustAppend(t, j, "two")
	mustAppend(t, j, "three")
	data, _ := os.ReadFile(j.Path())
	lines := strings.SplitAfter(string(data), "\n")
	lines[1] = "{broken\n"
	os.WriteFile(j.Path(), []byte(strings.Join(lines, "")), 0o600)

	_, err := j.Load()
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 {
		t.Fatalf("Load error = %v, want a LineError at line 2", err)
	}
	if !strings.Contains(err.Error(), "journal.jsonl:2:") {
		t.Errorf("error %q does not name file:line", err)
	}
}

func TestVerifyFindsAnEditedEntry(t *testing.T) {
	j := newJournal(t)
	mustAppend(t, j, "the db is fine")
	mustAppend(t, j, "later")
	data, _ := os.ReadFile(j.Path())
	os.WriteFile(j.Path(), bytes.Replace(data, []byte("the db is fine"), []byte("the db is FINE"), 1), 0o600)
	b, err := j.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if b == nil || b.Seq != 3 {
		t.Fatalf("Verify = %+v, want broken at seq 3 (the entry after the edit)", b)
	}
}

func TestFailedWriteLeavesNoPartialLine(t *testing.T) {
	tests := []struct {
		name    string
		write   func(f *os.File, b []byte) (int, error)
		wantErr error
	}{
		{"disk full after half the line", func(f *os.File, b []byte) (int, error) {
			n, _ := f.Write(b[:len(b)/2])
			return n, syscall.ENOSPC
		}, ErrDiskFull},
		{"short write", func(f *os.File, b []byte) (int, error) { return f.Write(b[:3]) }, nil},
		{"I/O error before anything", func(f *os.File, b []byte) (int, error) { return 0, syscall.EIO }, syscall.EIO},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJournal(t)
			before, _ := os.ReadFile(j.Path())
			j.write = tt.write
			_, err := j.Append(Draft{Kind: KindNote, Text: "this must not be half-written"})
			if err == nil {
				t.Fatal("Append succeeded on a failing disk")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v is not %v", err, tt.wantErr)
			}
			after, _ := os.ReadFile(j.Path())
			if !bytes.Equal(before, after) {
				t.Fatalf("journal changed by a failed append:\n%q\n%q", before, after)
			}
			j.write = func(f *os.File, b []byte) (int, error) { return f.Write(b) }
			if e := mustAppend(t, j, "disk has room again"); e.Seq != 2 {
				t.Errorf("seq after failure = %d, want 2", e.Seq)
			}
		})
	}
}

func TestReaderSeesOtherHandlesAppendsWithinASecond(t *testing.T) {
	j := newJournal(t)
	other, err := OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	r, err := j.NewReader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, _ := r.Next(); len(got) != 1 {
		t.Fatalf("first Next = %d entries, want the opened entry", len(got))
	}
	start := time.Now()
	mustAppend(t, other, "from another process")
	for {
		got, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].Text == "from another process" {
			break
		}
		if time.Since(start) > time.Second {
			t.Fatal("entry not seen within 1 s")
		}
		time.Sleep(FollowInterval)
	}
}

func TestReaderWaitsOnATornEnd(t *testing.T) {
	j := newJournal(t)
	r, _ := j.NewReader()
	defer r.Close()
	r.Next()
	f, _ := os.OpenFile(j.Path(), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"seq":2,"at":`)
	f.Close()
	if got, err := r.Next(); err != nil || len(got) != 0 {
		t.Fatalf("Next on torn end = %v, %v; want nothing yet", got, err)
	}
	mustAppend(t, j, "repairs and appends") // moves the torn bytes aside
	got, err := r.Next()
	if err != nil || len(got) != 1 || got[0].Seq != 2 {
		t.Fatalf("Next after repair = %+v, %v", got, err)
	}
}

func TestAppendRejectsBadKind(t *testing.T) {
	j := newJournal(t)
	for _, k := range []Kind{"", "Note", "a b", "x\n"} {
		if _, err := j.Append(Draft{Kind: k, Text: "x"}); err == nil {
			t.Errorf("kind %q accepted", k)
		}
	}
}

func TestUnknownKindsLoad(t *testing.T) {
	j := newJournal(t)
	if _, err := j.Append(Draft{Kind: "sparkle", Text: "from the future"}); err != nil {
		t.Fatal(err)
	}
	entries, err := j.Load()
	if err != nil || len(entries) != 2 || entries[1].Kind.Known() {
		t.Fatalf("entries = %+v, %v", entries, err)
	}
}

func TestStoreCurrentAndErrors(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	if _, err := s.Current(); !errors.Is(err, ErrNoCurrent) {
		t.Fatalf("Current on empty store = %v", err)
	}
	j, _, err := s.Create("DB down", 1, "a", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	j2, _, err := s.Create("DB down", 1, "a", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	j2.Close()
	if j.ID() == j2.ID() {
		t.Fatalf("two incidents share id %s", j.ID())
	}
	if cur, _ := s.Current(); cur != j2.ID() {
		t.Errorf("current = %s, want the newest %s", cur, j2.ID())
	}
	for _, bad := range []string{"../etc", "a/b", "", ".."} {
		if _, err := s.Open(bad); err == nil {
			t.Errorf("Open(%q) accepted", bad)
		}
	}
	if _, err := s.Open("2020-01-01-nope"); err == nil || !strings.Contains(err.Error(), "no incident") {
		t.Errorf("Open(missing) = %v", err)
	}
	if _, _, err := s.Create("  ", 1, "a", time.Time{}); err == nil {
		t.Error("empty title accepted")
	}
	if _, _, err := s.Create("x", 9, "a", time.Time{}); err == nil {
		t.Error("severity 9 accepted")
	}
}

func TestStoreUnwritableDataDir(t *testing.T) {
	if os.Geteuid() == 0 {
		// root ignores permission bits; use a path under a regular file instead.
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o600)
		_, _, err := Store{Dir: filepath.Join(f, "data")}.Create("x", 1, "a", time.Time{})
		if err == nil || !strings.Contains(err.Error(), "--data") {
			t.Fatalf("Create under a file = %v, want an error suggesting --data", err)
		}
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	if _, _, err := (Store{Dir: filepath.Join(dir, "data")}).Create("x", 1, "a", time.Time{}); err == nil {
		t.Fatal("Create in read-only dir succeeded")
	}
}

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"API 5xx spike!":        "api-5xx-spike",
		"  DB -- down  ":        "db-down",
		"Ünïcode only ✓":        "n-code-only",
		"":                      "incident",
		strings.Repeat("a", 99): strings.Repeat("a", 40),
	}
	for in, want := range tests {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEntriesLongerThanTheTailWindow(t *testing.T) {
	j := newJournal(t)
	long := strings.Repeat("x", 3*tailWindow)
	mustAppend(t, j, long)
	j2, _ := OpenJournal(j.Path())
	defer j2.Close()
	if e := mustAppend(t, j2, long); e.Seq != 3 {
		t.Fatalf("seq = %d, want 3", e.Seq)
	}
	f, _ := os.OpenFile(j.Path(), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"seq":4,"text":"` + long[:tailWindow*2])
	f.Close()
	j3, _ := OpenJournal(j.Path())
	defer j3.Close()
	if e := mustAppend(t, j3, "short"); e.Seq != 4 {
		t.Fatalf("seq after long torn line = %d, want 4", e.Seq)
	}
	if b, _ := j3.Verify(); b != nil {
		t.Fatalf("chain broken: %+v", b)
	}
}

func TestParallelDecodeMatchesLineNumbers(t *testing.T) {
	var buf bytes.Buffer
	prev := ""
	for i := 1; i <= 20000; i++ {
		line, _ := marshal(Entry{Seq: int64(i), At: time.Unix(int64(i), 0).UTC(), Kind: KindNote, Text: "some text to make the line longer than a few bytes", Prev: prev})
		buf.Write(line)
		buf.WriteByte('\n')
		prev = hashLine(line)
	}
	data := buf.Bytes()
	if decodeWorkers(len(data)) < 2 && runtime.GOMAXPROCS(0) > 1 {
		t.Fatalf("%d bytes is not decoded in parallel; the test covers nothing", len(data))
	}
	entries, n, err := DecodeJournal(data)
	if err != nil || len(entries) != 20000 || n != len(data) {
		t.Fatalf("clean decode: %d entries, %d/%d bytes, %v", len(entries), n, len(data), err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	tests := []struct {
		name     string
		badLine  int // 1-based line to corrupt
		wantLine int // 0 means: treated as the tail
	}{
		{"first line", 1, 1},
		{"line in the second chunk", 15000, 15000},
		{"last line is the tail", 20000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := make([][]byte, len(lines))
			copy(mod, lines)
			mod[tt.badLine-1] = []byte("{garbage\n")
			entries, _, err := DecodeJournal(bytes.Join(mod, nil))
			var le *LineError
			switch {
			case tt.wantLine == 0 && err != nil:
				t.Fatalf("tail reported as error: %v", err)
			case tt.wantLine != 0 && (!errors.As(err, &le) || le.Line != tt.wantLine):
				t.Fatalf("err = %v, want line %d", err, tt.wantLine)
			}
			if len(entries) != tt.badLine-1 {
				t.Fatalf("good prefix = %d entries, want %d", len(entries), tt.badLine-1)
			}
		})
	}
}

func TestPeekReadsTheEndsOnly(t *testing.T) {
	j := newJournal(t)
	for i := 0; i < 500; i++ {
		mustAppend(t, j, "n")
	}
	first, last, err := j.Peek(20)
	if err != nil {
		t.Fatal(err)
	}
	if first.Kind != KindOpened || first.Seq != 1 {
		t.Errorf("first = %+v", first)
	}
	if len(last) != 20 || last[0].Seq != 482 || last[19].Seq != 501 {
		t.Fatalf("last = %d entries, %d..%d", len(last), last[0].Seq, last[len(last)-1].Seq)
	}
	f, _ := os.OpenFile(j.Path(), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"seq":502,"at":`)
	f.Close()
	if _, last, err = j.Peek(5); err != nil || last[len(last)-1].Seq != 501 {
		t.Fatalf("torn end: %v, last seq %d", err, last[len(last)-1].Seq)
	}
}
