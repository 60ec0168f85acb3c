//go:build race

package sources_test

// raceEnabled: the race detector slows everything several-fold, so timing
// assertions about cadence are loosened (never the deadline ones).
const raceEnabled = true
