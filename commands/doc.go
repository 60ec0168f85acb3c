// Package commands holds sitrep's verbs: what the commander does. Each verb
// is plain Go used by the command line and the dashboard alike, takes its
// inputs as values (no flags, no terminal), and writes its record to the
// incident journal before it reports success.
package commands
