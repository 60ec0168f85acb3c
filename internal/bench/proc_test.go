package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name string
		line string
		want time.Duration
		ok   bool
	}{
		{"plain name", "1234 (sitrep) S 1 1234 1234 34816 1234 4194560 100 0 0 0 250 50 0 0 20 0 9 0 100 0 0", 3 * time.Second, true},
		{"name with spaces and parens", "99 (a) b (c) R 1 99 99 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 5 0 0", 100 * time.Millisecond, true},
		{"truncated", "99 (x) R 1 2 3", 0, false},
		{"no name", "99 x R", 0, false},
		{"not a number", "1 (x) S 1 1 1 0 1 0 0 0 0 0 a 2 0", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tc.line))
			if (err == nil) != tc.ok {
				t.Fatalf("error = %v, want ok=%v", err, tc.ok)
			}
			if got != tc.want {
				t.Errorf("CPU = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseStatus(t *testing.T) {
	good := "Name:\tsitrep\nVmPeak:\t 9999 kB\nVmRSS:\t   30720 kB\nThreads:\t9\n"
	st, err := parseStatus([]byte(good))
	if err != nil || st.RSS != 30<<20 || st.Threads != 9 {
		t.Fatalf("parseStatus = %+v, %v; want 30 MiB, 9 threads", st, err)
	}
	if _, err := parseStatus([]byte("Name:\tkthreadd\nThreads:\t1\n")); err == nil {
		t.Error("a status without VmRSS must be an error, not 0 bytes")
	}
	if _, err := parseStatus([]byte("VmRSS:\tlots kB\nThreads:\t1\n")); err == nil {
		t.Error("a malformed VmRSS must be an error")
	}
}

// The parsers read what this kernel really writes.
func TestProcOfThisProcess(t *testing.T) {
	if _, err := cpuTime(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	st, err := readStatus(os.Getpid())
	if err != nil || st.RSS <= 0 || st.Threads < 1 {
		t.Fatalf("readStatus(self) = %+v, %v", st, err)
	}
}

func FuzzParseStatCPU(f *testing.F) {
	f.Add([]byte("1234 (sitrep) S 1 1234 1234 34816 1234 4194560 100 0 0 0 250 50 0 0 20 0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseStatCPU(b)
		if err == nil && d < 0 && !strings.Contains(string(b), "-") {
			t.Fatalf("negative CPU time %v from %q", d, b)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("VmRSS:\t   30720 kB\nThreads:\t9\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseStatus(b)
		if err == nil && !strings.Contains(string(b), "VmRSS") {
			t.Fatalf("status without VmRSS parsed as %+v", st)
		}
	})
}
