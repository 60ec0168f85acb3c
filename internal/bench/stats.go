package main

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// spread is a set of measurements of one figure, one per run.
type spread []float64

func (s spread) sorted() []float64 {
	c := append([]float64(nil), s...)
	sort.Float64s(c)
	return c
}

// median of the values; NaN when there are none.
func (s spread) median() float64 {
	c := s.sorted()
	switch n := len(c); {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return c[n/2]
	default:
		return (c[n/2-1] + c[n/2]) / 2
	}
}

func (s spread) min() float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	return s.sorted()[0]
}

func (s spread) max() float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	return s.sorted()[len(s)-1]
}

// percentile by nearest rank (p in 0..100) of durations, in ms.
func percentile(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return math.NaN()
	}
	c := append([]time.Duration(nil), d...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	rank := int(math.Ceil(p / 100 * float64(len(c))))
	rank = min(max(rank, 1), len(c))
	return ms(c[rank-1])
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cell formats "median (min–max)" with the given precision; a single run
// prints just the value.
func (s spread) cell(prec int) string {
	if len(s) == 0 {
		return "n/a"
	}
	m := fmt.Sprintf("%.*f", prec, s.median())
	if len(s) == 1 {
		return m
	}
	return fmt.Sprintf("%s (%.*f–%.*f)", m, prec, s.min(), prec, s.max())
}

// ratio formats a/b of the medians, "n/a" when either is missing.
func ratio(a, b spread) string {
	am, bm := a.median(), b.median()
	if math.IsNaN(am) || math.IsNaN(bm) || bm == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", am/bm)
}
