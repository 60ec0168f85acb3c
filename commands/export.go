package commands

import (
	"fmt"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/fsutil"
)

// Postmortem renders the incident in format "md" or "json".
func Postmortem(j *incident.Journal, format string) ([]byte, error) {
	entries, err := j.Load()
	if err != nil {
		return nil, err
	}
	p := incident.BuildPostmortem(incident.NewRecord(entries))
	switch format {
	case "", "md", "markdown":
		return p.Markdown(), nil
	case "json":
		return p.JSON()
	}
	return nil, fmt.Errorf("unknown export format %q: use md or json", format)
}

// WriteExport writes an export to a file atomically, so a reader (or a
// crash) never sees half a postmortem.
func WriteExport(path string, data []byte) error {
	if err := fsutil.WriteFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
