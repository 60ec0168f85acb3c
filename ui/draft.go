package ui

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/fsutil"
)

// DraftSaver keeps the note being typed on disk, beside the journal, so a
// crash, kill -9 or dropped SSH session loses nothing. Saving happens on a
// goroutine of its own: the Update loop only hands over the latest text,
// never waits for the disk, and a burst of keystrokes costs one write.
type DraftSaver struct {
	path string

	mu      sync.Mutex
	pending *string // newest text not yet written; "" means remove the file
	wake    chan struct{}
	done    chan struct{}
	err     error
}

// NewDraftSaver saves drafts for author in the incident folder dir. One
// file per author, so commanders sharing a journal keep their own drafts.
func NewDraftSaver(dir, author string) *DraftSaver {
	d := &DraftSaver{
		path: filepath.Join(dir, "draft-"+incident.Slug(author)+".txt"),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	go d.loop()
	return d
}

// Path is the draft file.
func (d *DraftSaver) Path() string { return d.path }

// Save records text as the current draft ("" clears it). It never blocks.
func (d *DraftSaver) Save(text string) {
	d.mu.Lock()
	d.pending = &text
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Load returns the draft left by an earlier run, if any.
func (d *DraftSaver) Load() (string, error) {
	b, err := os.ReadFile(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}

// Close writes whatever is pending and stops the saver.
func (d *DraftSaver) Close() error {
	close(d.wake)
	<-d.done
	return d.err
}

// Err is the last write error (a full disk), for the UI to show.
func (d *DraftSaver) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

func (d *DraftSaver) loop() {
	defer close(d.done)
	for range d.wake {
		d.flush()
	}
	d.flush()
}

func (d *DraftSaver) flush() {
	d.mu.Lock()
	p := d.pending
	d.pending = nil
	d.mu.Unlock()
	if p == nil {
		return
	}
	var err error
	if strings.TrimSpace(*p) == "" {
		err = os.Remove(d.path)
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
	} else {
		err = fsutil.WriteFileAtomic(d.path, []byte(*p), 0o600)
	}
	d.mu.Lock()
	d.err = err
	d.mu.Unlock()
}

type draftRestoredMsg struct {
	text string
	err  error
}

// restoreDraft reads a draft left by a crashed session (off the loop).
func (m *Model) restoreDraft() tea.Cmd {
	d := m.deps.Drafts
	if d == nil {
		return nil
	}
	return func() tea.Msg {
		text, err := d.Load()
		return draftRestoredMsg{text: text, err: err}
	}
}

func (m *Model) saveDraft(kind incident.Kind, text string) {
	if m.deps.Drafts == nil || kind != incident.KindNote {
		return
	}
	m.deps.Drafts.Save(text)
}
