package incident

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/sitrep-dev/sitrep/internal/fsutil"
)

// Store is the data directory: incidents/<id>/journal.jsonl for each
// incident and a `current` file naming the incident commands act on.
type Store struct {
	Dir string
}

// DefaultDataDir resolves the data directory the way the CLI documents:
// flag value, then $SITREP_DATA, then $XDG_STATE_HOME/sitrep, then
// ~/.local/state/sitrep.
func DefaultDataDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if d := os.Getenv("SITREP_DATA"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "sitrep"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a data directory: set --data, $SITREP_DATA or $XDG_STATE_HOME (%v)", err)
	}
	return filepath.Join(home, ".local", "state", "sitrep"), nil
}

// ErrNoCurrent means no incident has been opened (or selected) yet.
var ErrNoCurrent = errors.New("no current incident: start one with `sitrep open TITLE` or pass --incident ID")

func (s Store) incidentsDir() string         { return filepath.Join(s.Dir, "incidents") }
func (s Store) currentFile() string          { return filepath.Join(s.Dir, "current") }
func (s Store) JournalPath(id string) string { return filepath.Join(s.incidentsDir(), id, JournalFile) }

// Create starts a new incident: its folder, its journal with the `opened`
// entry, and makes it current. The id is <date>-<slug of title>.
func (s Store) Create(title string, severity int, author string, at time.Time) (*Journal, Entry, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return nil, Entry{}, errors.New("the incident needs a title, e.g. sitrep open \"API 5xx spike\"")
	}
	if severity < 1 || severity > 5 {
		return nil, Entry{}, fmt.Errorf("severity %d is out of range: use 1 (most severe) to 5", severity)
	}
	if at.IsZero() {
		at = time.Now().UTC()
	}
	if err := os.MkdirAll(s.incidentsDir(), 0o700); err != nil {
		return nil, Entry{}, fmt.Errorf("cannot create the data directory: %w (choose another with --data or $SITREP_DATA)", err)
	}
	base := at.UTC().Format("2006-01-02") + "-" + Slug(title)
	var id, dir string
	for n := 1; ; n++ {
		id = base
		if n > 1 {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		dir = filepath.Join(s.incidentsDir(), id)
		err := os.Mkdir(dir, 0o700)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || n > 1000 {
			return nil, Entry{}, fmt.Errorf("cannot create incident folder: %w", err)
		}
	}
	path := filepath.Join(dir, JournalFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, Entry{}, err
	}
	f.Close()
	if err := fsutil.SyncDir(dir); err != nil {
		return nil, Entry{}, err
	}
	j, err := OpenJournal(path)
	if err != nil {
		return nil, Entry{}, err
	}
	e, err := j.Append(Draft{
		At: at, Author: author, Kind: KindOpened, Text: title,
		Data: OpenedData{ID: id, Title: title, Severity: severity},
	})
	if err != nil {
		j.Close()
		return nil, Entry{}, err
	}
	if err := s.SetCurrent(id); err != nil {
		j.Close()
		return nil, Entry{}, err
	}
	return j, e, nil
}

// Open opens an existing incident's journal.
func (s Store) Open(id string) (*Journal, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	j, err := OpenJournal(s.JournalPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no incident %q in %s (see `sitrep list`, or start one with `sitrep open TITLE`)", id, s.incidentsDir())
	}
	return j, err
}

// OpenCurrent opens id, or the current incident when id is empty.
func (s Store) OpenCurrent(id string) (*Journal, error) {
	if id == "" {
		cur, err := s.Current()
		if err != nil {
			return nil, err
		}
		id = cur
	}
	return s.Open(id)
}

// Current returns the id of the current incident.
func (s Store) Current() (string, error) {
	b, err := os.ReadFile(s.currentFile())
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNoCurrent
	}
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(b))
	if err := checkID(id); err != nil {
		return "", fmt.Errorf("%s: %w", s.currentFile(), err)
	}
	return id, nil
}

// SetCurrent makes id the current incident (atomically, durably).
func (s Store) SetCurrent(id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(s.currentFile(), []byte(id+"\n"), 0o600)
}

// List returns the ids of all incidents, newest first.
func (s Store) List() ([]string, error) {
	des, err := os.ReadDir(s.incidentsDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, de := range des {
		if de.IsDir() {
			ids = append(ids, de.Name())
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	return ids, nil
}

func checkID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, `/\`) || strings.ContainsFunc(id, unicode.IsControl) {
		return fmt.Errorf("invalid incident id %q", id)
	}
	return nil
}

// Slug turns a title into a short, file-name-safe lowercase slug.
func Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= 40 {
				break
			}
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "incident"
	}
	return b.String()
}
