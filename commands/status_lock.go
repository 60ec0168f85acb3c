package commands

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
)

// withFreshStatus runs fn under the publish lock with the status log read
// from the journal after taking it, so what another session just did counts.
func withFreshStatus(j *incident.Journal, fn func([]incident.Entry, *StatusLog) error) error {
	return withPublishLock(j, func() error {
		entries, err := j.Load()
		if err != nil {
			return err
		}
		return fn(entries, ReadStatus(entries))
	})
}

// errPublishing is returned while another session holds the publish lock.
var errPublishing = errors.New("another sitrep session is publishing status updates for this incident right now (it may be waiting at its confirmation); try again in a moment, and check `sitrep status show`")

// withPublishLock runs fn holding an exclusive lock on the incident's
// status.lock, so two sessions cannot publish the same draft at once, nor
// edit a draft while it is being published. The second is told, not made
// to wait: the holder may sit at a confirmation prompt.
func withPublishLock(j *incident.Journal, fn func() error) error {
	return lockStatus(j, 0, fn)
}

// lockStatus takes status.lock, trying for up to patience before giving up
// with errPublishing.
func lockStatus(j *incident.Journal, patience time.Duration, fn func() error) error {
	path := filepath.Join(j.Dir(), "status.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", path, err)
	}
	defer f.Close()
	deadline := time.Now().Add(patience)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			return errPublishing
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}
