package metric

import (
	"math"
	"slices"
	"testing"
)

func f(v float64) *float64 { return &v }

func TestThresholdsState(t *testing.T) {
	tests := []struct {
		name string
		th   Thresholds
		v    float64
		want State
	}{
		{"below warn is ok", Thresholds{Warn: f(1), Crit: f(5)}, 0.5, OK},
		{"reaching warn is warn", Thresholds{Warn: f(1), Crit: f(5)}, 1, Warn},
		{"past crit is crit", Thresholds{Warn: f(1), Crit: f(5)}, 9, Crit},
		{"crit only skips warn", Thresholds{Crit: f(95)}, 90, OK},
		{"no thresholds is always ok", Thresholds{}, 1e9, OK},
		{"below direction: low is bad", Thresholds{Warn: f(99), Crit: f(95), Below: true}, 96, Warn},
		{"below direction: very low is crit", Thresholds{Warn: f(99), Crit: f(95), Below: true}, 10, Crit},
		{"below direction: high is ok", Thresholds{Warn: f(99), Crit: f(95), Below: true}, 99.9, OK},
		{"NaN is unknown", Thresholds{Warn: f(1)}, math.NaN(), Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.th.State(tt.v); got != tt.want {
				t.Fatalf("State(%v) = %s, want %s", tt.v, got, tt.want)
			}
		})
	}
}

func TestRingKeepsTheNewestInOrder(t *testing.T) {
	r := newRing(3)
	for i := 1; i <= 5; i++ {
		r.push(float64(i))
	}
	got := r.values()
	if !slices.Equal(got, []float64{3, 4, 5}) {
		t.Fatalf("values = %v", got)
	}
	got[0] = 99
	if r.values()[0] != 3 {
		t.Fatal("values() shares memory with the ring: Values would not be immutable")
	}
	r.reset([]float64{1, 2, 3, 4})
	if got := r.values(); !slices.Equal(got, []float64{2, 3, 4}) {
		t.Fatalf("after reset = %v", got)
	}
}
