package main

import (
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
)

// The generated journal must be one sitrep accepts: chain, seqs, load.
func TestAppendChainedWritesAVerifiableJournal(t *testing.T) {
	s := incident.Store{Dir: t.TempDir()}
	j, _, err := s.Create("bench", 2, "bench", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	path := j.Path()
	j.Close()
	if err := appendChained(path, 500); err != nil {
		t.Fatal(err)
	}
	j, err = s.Open(j.ID())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if b, err := j.Verify(); err != nil || b != nil {
		t.Fatalf("chain broken: %+v %v", b, err)
	}
	es, err := j.Load()
	if err != nil || len(es) != 500 || es[499].Seq != 500 {
		t.Fatalf("Load = %d entries, %v; want 500", len(es), err)
	}
	// Appending through the journal after the generator still chains.
	if _, err := j.Append(incident.Draft{Kind: incident.KindNote, Text: "after", Author: "t"}); err != nil {
		t.Fatal(err)
	}
	if b, err := j.Verify(); err != nil || b != nil {
		t.Fatalf("chain broken after a real append: %+v %v", b, err)
	}
}
