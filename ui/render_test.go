package ui

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func TestWidthMatchesAnsiStringWidth(t *testing.T) {
	for _, s := range []string{
		"", "plain", "\x1b[1;36mbold cyan\x1b[m", "a\x1b[2mb\x1b[mc", "日本語", "\x1b[31m✖\x1b[m 5xx/s", "tab\there", "é",
		"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "\x1b[38;2;1;2;3mrgb\x1b[0m",
		"┌▶Flags ───┐", "│● api ▲ ✖ ○ ◎ ◉ ◑ · — → ◀ ▶│", "▁▂▃▄▅▆▇█", "─\u0301", "✖\ufe0f", "\x1b[\x800",
	} {
		if got, want := width(s), ansi.StringWidth(s); got != want {
			t.Errorf("width(%q) = %d, ansi says %d", s, got, want)
		}
	}
}

func FuzzWidth(f *testing.F) {
	for _, s := range []string{"a", "\x1b[1mx\x1b[m", "日", "\x1b[", "\x1b", "│●─▲…✖"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := width(s), ansi.StringWidth(s); got != want {
			t.Fatalf("width(%q) = %d, ansi says %d", s, got, want)
		}
	})
}

func TestFit(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 4, "abc…"},
		{"abc", 0, ""},
		{"日本語", 4, "日… "},
	}
	for _, tt := range tests {
		if got := ansi.Strip(fit(tt.in, tt.w)); got != tt.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
		if got := ansi.StringWidth(fit(tt.in, tt.w)); got != tt.w {
			t.Errorf("fit(%q, %d) is %d wide", tt.in, tt.w, got)
		}
	}
}

func TestSparkline(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		w    int
		want string
	}{
		{"rising", []float64{0, 1, 2, 3, 4, 5, 6, 7}, 8, "▁▂▃▄▅▆▇█"},
		{"padded on the left", []float64{1, 2}, 4, "  ▁█"},
		{"only the newest fit", []float64{9, 0, 7}, 2, "▁█"},
		{"flat sits on the baseline", []float64{3, 3, 3}, 3, "▁▁▁"},
		{"gaps are blank", []float64{1, math.NaN(), 2}, 3, "▁ █"},
		{"no room", []float64{1}, 0, ""},
	}
	for _, tt := range tests {
		if got := sparkline(tt.in, tt.w); got != tt.want {
			t.Errorf("%s: sparkline = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAgeAndLatency(t *testing.T) {
	now := time.Date(2026, 5, 11, 7, 31, 0, 0, time.UTC)
	tests := []struct{ got, want string }{
		{age(now, now.Add(-42*time.Second)), "42s"},
		{age(now, now.Add(-2*time.Hour-5*time.Minute)), "2h 05m"},
		{age(now, time.Time{}), "—"},
		{age(now, now.Add(time.Minute)), "0s"},
		{latency(850 * time.Microsecond), "850µs"},
		{latency(12 * time.Millisecond), "12ms"},
		{latency(2300 * time.Millisecond), "2.3s"},
		{latency(0), "—"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestColumns(t *testing.T) {
	got := columns(20, []int{3, 0, 4}, "a", "middle", "end")
	if want := "a   middle      end "; got != want || len(got) != 20 {
		t.Errorf("columns = %q, want %q", got, want)
	}
	if strings.Count(columns(10, []int{5, 0, 5}, "x", "y", "z"), "") != 11 {
		t.Error("columns with no room for the flexible column is not 10 wide")
	}
}
