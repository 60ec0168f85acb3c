package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sitrep-dev/sitrep/config"
)

// File appends each update, as Markdown, to a file: the source of a static
// status page kept in a repository.
type File struct {
	base
	path string
}

// NewFile builds a file target from its config.
func NewFile(t config.StatusTarget) *File {
	return &File{base: newBase(t), path: t.Path}
}

// Describe names the file.
func (f *File) Describe(Update) string { return "append to " + f.path }

// Check verifies the folder the file lives in exists.
func (f *File) Check(Update) error {
	dir := filepath.Dir(f.path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("the folder of %s is not usable: %v", f.path, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}

// Section is the block a file target appends for one update.
func Section(u Update) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## %s\n\n", u.At.UTC().Format("2006-01-02 15:04 UTC"))
	b.WriteString(strings.TrimRight(u.Markdown, "\n"))
	b.WriteString("\n")
	return b.String()
}

// Publish appends the section in one write and fsyncs, so a crash leaves
// either the whole section or none of it (on local file systems, appends
// of this size are not torn).
func (f *File) Publish(ctx context.Context, u Update) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", describe(ctx, err)
	}
	fh, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", f.path, err)
	}
	_, werr := fh.WriteString(Section(u))
	if werr == nil {
		werr = fh.Sync()
	}
	cerr := fh.Close()
	if werr != nil {
		return "", fmt.Errorf("append to %s: %w", f.path, werr)
	}
	if cerr != nil {
		return "", fmt.Errorf("close %s: %w", f.path, cerr)
	}
	return f.path, nil
}
