package main

import (
	"math"
	"testing"
	"time"
)

func TestSpreadMedianMinMaxAndCell(t *testing.T) {
	tests := []struct {
		name        string
		s           spread
		med, lo, hi float64
		cell        string
	}{
		{"one run prints just the value", spread{12.34}, 12.34, 12.34, 12.34, "12.3"},
		{"odd count takes the middle", spread{5, 1, 3}, 3, 1, 5, "3.0 (1.0–5.0)"},
		{"even count averages the middle two", spread{4, 1, 3, 2}, 2.5, 1, 4, "2.5 (1.0–4.0)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.median(); got != tc.med {
				t.Errorf("median = %v, want %v", got, tc.med)
			}
			if tc.s.min() != tc.lo || tc.s.max() != tc.hi {
				t.Errorf("min/max = %v/%v, want %v/%v", tc.s.min(), tc.s.max(), tc.lo, tc.hi)
			}
			if got := tc.s.cell(1); got != tc.cell {
				t.Errorf("cell = %q, want %q", got, tc.cell)
			}
		})
	}
	if !math.IsNaN((spread{}).median()) || (spread{}).cell(1) != "n/a" {
		t.Error("no runs must read as n/a, not zero")
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		want float64
	}{{50, 50}, {99, 99}, {100, 100}, {0, 1}}
	for _, tc := range tests {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("p%v = %v ms, want %v", tc.p, got, tc.want)
		}
	}
	// With 30 samples p99 is the slowest one: the short gate says so.
	if got := percentile(d[70:], 99); got != 30 {
		t.Errorf("p99 of 30 samples = %v, want the maximum 30", got)
	}
	if !math.IsNaN(percentile(nil, 50)) {
		t.Error("percentile of nothing must be NaN")
	}
}

func TestRatioOfMedians(t *testing.T) {
	if got := ratio(spread{2, 4, 6}, spread{2}); got != "2.00×" {
		t.Errorf("ratio = %q", got)
	}
	if got := ratio(spread{1}, spread{}); got != "n/a" {
		t.Errorf("ratio against nothing = %q, want n/a", got)
	}
	if got := ratio(spread{1}, spread{0}); got != "n/a" {
		t.Errorf("ratio against zero = %q, want n/a", got)
	}
}

func TestParseSizes(t *testing.T) {
	tests := []struct {
		in   string
		want []size
		ok   bool
	}{
		{"80x24,200x50", []size{{80, 24}, {200, 50}}, true},
		{" 120x40 ", []size{{120, 40}}, true},
		{"80", nil, false},
		{"10x5", nil, false},
		{"80x24,", nil, false},
	}
	for _, tc := range tests {
		got, err := parseSizes(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("parseSizes(%q) error = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && (len(got) != len(tc.want) || got[0] != tc.want[0]) {
			t.Errorf("parseSizes(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func FuzzParseSizes(f *testing.F) {
	f.Add("80x24,200x50")
	f.Fuzz(func(t *testing.T, s string) {
		sizes, err := parseSizes(s)
		if err != nil {
			return
		}
		for _, sz := range sizes {
			if sz.w < 20 || sz.h < 10 || sz.w > 1000 || sz.h > 500 {
				t.Fatalf("parseSizes(%q) accepted %v", s, sz)
			}
		}
	})
}
