package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/sitrep-dev/sitrep/sources/flags"
)

// ListFlags returns every flag of every provider, in config order, with the
// time of its last change: from the journal when this incident changed
// it, else from the provider when it reports one. A provider that fails
// adds an error and its flags are left out; the others are still listed.
func (s *FlagSwitch) ListFlags(ctx context.Context) ([]flags.Flag, []error) {
	lists := make([][]flags.Flag, len(s.Providers))
	errs := make([]error, len(s.Providers))
	eachProvider(ctx, s.Providers, func(ctx context.Context, i int, p flags.Provider) {
		fs, err := p.List(ctx)
		if err != nil {
			errs[i] = fmt.Errorf("%s: %w", p.Name(), err)
		}
		lists[i] = fs
	})
	changed := map[string]time.Time{}
	var out []flags.Flag
	var bad []error
	if s.Journal != nil {
		fes, err := flagEntries(s.Journal)
		if err != nil {
			bad = append(bad, fmt.Errorf("journal: %w", err))
		}
		for _, fe := range fes {
			changed[fe.data.Source+"/"+fe.data.Flag] = fe.entry.At
		}
	}
	for i := range s.Providers {
		if errs[i] != nil {
			bad = append(bad, errs[i])
		}
		for _, f := range lists[i] {
			if at, ok := changed[f.Name()]; ok && at.After(f.LastChange) {
				f.LastChange = at
			}
			out = append(out, f)
		}
	}
	return out, bad
}
