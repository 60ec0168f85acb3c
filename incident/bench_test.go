package incident

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// BenchmarkAppend measures one durable append (write + fsync under the
// lock) and reports p50/p99 latency alongside the mean.
func BenchmarkAppend(b *testing.B) {
	s := Store{Dir: b.TempDir()}
	j, _, err := s.Create("bench", 3, "bench", time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := j.Append(Draft{Kind: KindNote, Author: "ic@bastion", Text: "db connections climbing on primary; pool at 92%"}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(x, y int) bool { return lat[x] < lat[y] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// openBig opens a generated journal of n entries (see bigJournal).
func openBig(b *testing.B, n int) *Journal {
	b.Helper()
	j, err := OpenJournal(bigJournal(b, n))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { j.Close() })
	return j
}

// bigJournal writes n realistic entries once per process (it is slow to build).
func bigJournal(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("sitrep-bench-%d", n), JournalFile)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	os.MkdirAll(filepath.Dir(path), 0o700)
	f, err := os.Create(path + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	prev := ""
	t0 := time.Date(2026, 5, 11, 5, 45, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e := Entry{Seq: int64(i), At: t0.Add(time.Duration(i) * time.Second), Author: "ic@bastion via ssh from 10.0.0.7", Kind: KindNote,
			Text: fmt.Sprintf("entry %d: db connections climbing on primary; pool at 92%%, p99 1.8s", i), Prev: prev}
		if i%10 == 0 {
			e.Kind, e.Auto, e.Text = KindHealth, true, ""
			e.Data, _ = marshal(HealthData{Check: "api", From: "up", To: "down", Reason: "HTTP 503"})
		}
		line, _ := marshal(e)
		f.Write(append(line, '\n'))
		prev = hashLine(line)
	}
	f.Close()
	os.Rename(path+".tmp", path)
	return path
}

func BenchmarkLoad100k(b *testing.B) {
	j := openBig(b, 100_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		entries, err := j.Load()
		if err != nil || len(entries) != 100_000 {
			b.Fatalf("%d entries, %v", len(entries), err)
		}
	}
}

func BenchmarkExport10k(b *testing.B) {
	j := openBig(b, 10_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		entries, err := j.Load()
		if err != nil {
			b.Fatal(err)
		}
		if md := BuildPostmortem(NewRecord(entries)).Markdown(); len(md) == 0 {
			b.Fatal("empty export")
		}
	}
}
