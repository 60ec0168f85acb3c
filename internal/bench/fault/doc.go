// Package fault holds sitrep's fault suite as tests (go test -run Fault
// ./internal/bench/...): writers killed with SIGKILL mid-append, a full
// disk on append, and an SSH session dropped while a note is being typed.
//
// SITREP_FAULT_TRIALS sets the number of kill -9 trials (default 50, 20
// with -short); the published run uses 1000.
package fault
