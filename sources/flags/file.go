package flags

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sitrep-dev/sitrep/internal/fsutil"
)

// maxFileSize caps a flag file; flagd files are kilobytes.
const maxFileSize = 16 << 20

// File is a flagd flag-definition JSON file. A flagd server (or anything
// else watching the file) serves a change within about a second. sitrep
// kills a flag by pointing its defaultVariant at the off variant, and edits
// only the bytes of the values it changes.
type File struct {
	base
	path       string
	offVariant string // configured; "" = the variant whose value is false, else "off"
	// write replaces the file; tests swap it to simulate a crash.
	write func(path string, data []byte, perm os.FileMode) error
}

// NewFile returns the provider for the flag file at path.
func NewFile(b base, path, offVariant string) *File {
	b.typ = TypeFile
	return &File{base: b, path: path, offVariant: offVariant, write: fsutil.WriteFileAtomic}
}

// read loads and parses the file; the hash is the precondition token.
func (p *File) read(ctx context.Context) (*flagdDoc, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	f, err := os.Open(p.path)
	if err != nil {
		return nil, "", fmt.Errorf("flag file: %w (check flags[].path)", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("flag file %s: %w", p.path, err)
	}
	if len(data) > maxFileSize {
		return nil, "", fmt.Errorf("flag file %s is larger than %d MiB; is it the right file?", p.path, maxFileSize>>20)
	}
	doc, err := parseFlagd(data)
	if err != nil {
		return nil, "", fmt.Errorf("flag file %s:%w", p.path, prefixColon(err))
	}
	sum := sha256.Sum256(data)
	return doc, hex.EncodeToString(sum[:]), nil
}

// prefixColon makes "path:" + err read as "path:line:col: msg" for
// position errors and "path: msg" otherwise.
func prefixColon(err error) error {
	var se *SyntaxError
	if errors.As(err, &se) {
		return err
	}
	return fmt.Errorf(" %w", err)
}

// offVariantOf is the flag's off variant, or "" and why there is none.
func (p *File) offVariantOf(f *flagdFlag) (string, error) {
	return f.pickVariant(p.offVariant, false, "off")
}

func (p *File) view(f *flagdFlag, version string) Flag {
	off, err := p.offVariantOf(f)
	fl := f.view(off, err == nil)
	fl.Source, fl.Provider, fl.Env, fl.Version = p.name, p.typ, p.env, version
	return fl
}

// List returns every flag in file order.
func (p *File) List(ctx context.Context) ([]Flag, error) {
	doc, version, err := p.read(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Flag, 0, len(doc.flags))
	for i := range doc.flags {
		out = append(out, p.view(&doc.flags[i], version))
	}
	return out, nil
}

// Get returns one flag.
func (p *File) Get(ctx context.Context, key string) (Flag, error) {
	doc, version, err := p.read(ctx)
	if err != nil {
		return Flag{}, err
	}
	f := doc.flag(key)
	if f == nil {
		return Flag{}, fmt.Errorf("%w: no flag %q in %s", ErrNotFound, clean(key), p.path)
	}
	return p.view(f, version), nil
}

type filePlan struct{ data []byte }

// Plan works out the new file without writing it.
func (p *File) Plan(ctx context.Context, c Change) (Plan, error) {
	doc, version, err := p.read(ctx)
	if err != nil {
		return Plan{}, err
	}
	f := doc.flag(c.Key)
	if f == nil {
		return Plan{}, fmt.Errorf("%w: no flag %q in %s", ErrNotFound, clean(c.Key), p.path)
	}
	off, offErr := p.offVariantOf(f)
	if !c.On && c.Restore == nil && offErr != nil && f.state != "DISABLED" {
		return Plan{}, offErr
	}
	out, effects, undo, err := doc.edit(f, c, off, offErr == nil)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Change: c, Before: p.view(f, version), Effects: effects, Undo: undo}
	if bytes.Equal(out, doc.data) {
		plan.NoOp, plan.After = true, plan.Before
		return plan, nil
	}
	// Parse what we would write: an edit that broke the file is a bug
	// that must never reach a server watching it.
	next, err := parseFlagd(out)
	if err != nil {
		return Plan{}, fmt.Errorf("internal error: the edited flag file would not parse (%v); nothing was written", err)
	}
	sum := sha256.Sum256(out)
	plan.After = p.view(next.flag(c.Key), hex.EncodeToString(sum[:]))
	plan.internal = filePlan{data: out}
	return plan, nil
}

// Apply writes the planned file atomically, after checking that the file
// is still exactly what the plan was made from.
func (p *File) Apply(ctx context.Context, plan Plan) (Flag, error) {
	fp, ok := plan.internal.(filePlan)
	if !ok || plan.NoOp {
		return plan.After, nil
	}
	// Two sitrep sessions killing flags in the same file take turns: the
	// second re-reads after the first renamed, sees a new hash and refuses.
	unlock, err := lockFile(ctx, p.path)
	if err != nil {
		return Flag{}, err
	}
	defer unlock()
	doc, version, err := p.read(ctx)
	if err != nil {
		return Flag{}, err
	}
	if version != plan.Before.Version {
		now := "gone"
		if f := doc.flag(plan.Change.Key); f != nil {
			now = p.view(f, version).State
		}
		return Flag{}, &ConflictError{Flag: plan.Before.Name(), Was: plan.Before.State, Now: now,
			Different: "the file was edited by someone else since it was read"}
	}
	// Write the file a symlink points at, not over the symlink: config
	// management often links the served file.
	target, err := filepath.EvalSymlinks(p.path)
	if err != nil {
		return Flag{}, fmt.Errorf("flag file %s: %w", p.path, err)
	}
	st, err := os.Stat(target)
	if err != nil {
		return Flag{}, fmt.Errorf("flag file %s: %w", p.path, err)
	}
	if err := ctx.Err(); err != nil {
		return Flag{}, fmt.Errorf("flag file %s: not written: %w", p.path, err)
	}
	if err := p.write(target, fp.data, st.Mode().Perm()); err != nil {
		return Flag{}, fmt.Errorf("write flag file %s: %w (the old file is intact)", target, err)
	}
	return plan.After, nil
}
