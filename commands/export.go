package commands

import (
	"context"
	"fmt"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/fsutil"
)

// ExportOptions chooses the postmortem's format and where "what changed
// before" comes from.
type ExportOptions struct {
	Format string // md (default) | json
	// GitHub, when set, adds a fresh fetch of the change window to the
	// changes the journal holds; nil uses the journal alone.
	GitHub *config.GitHub
}

// Postmortem renders the incident. A failed GitHub fetch does not stop the
// export: the journal's changes are used and the fetch error is returned as
// warning, for the caller to show.
func Postmortem(ctx context.Context, j *incident.Journal, o ExportOptions) (data []byte, warning, err error) {
	if o.Format != "" && o.Format != "md" && o.Format != "markdown" && o.Format != "json" {
		return nil, nil, fmt.Errorf("unknown export format %q: use md or json", o.Format)
	}
	entries, err := j.Load()
	if err != nil {
		return nil, nil, err
	}
	p := incident.BuildPostmortem(incident.NewRecord(entries))
	if o.GitHub != nil {
		changes, ferr := WindowChanges(ctx, j, o.GitHub)
		if ferr != nil {
			warning = fmt.Errorf("GitHub changes not fetched, using the journal's: %w", ferr)
		}
		if changes != nil {
			p.Changes = changes
		}
	}
	if o.Format == "json" {
		data, err = p.JSON()
		return data, warning, err
	}
	return p.Markdown(), warning, nil
}

// WriteExport writes an export to a file atomically, so a reader (or a
// crash) never sees half a postmortem.
func WriteExport(path string, data []byte) error {
	if err := fsutil.WriteFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
