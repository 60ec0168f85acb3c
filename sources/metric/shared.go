package metric

import (
	"context"
	"sync"
	"time"
)

// Shared is one /metrics endpoint's latest body, shared by every Scrape of
// that URL: four metrics from one exporter cost one request per interval,
// not four. A body younger than Fresh is reused; while one poller fetches,
// the others wait for its result (each still bounded by its own context).
type Shared struct {
	Fresh time.Duration

	mu       sync.Mutex
	body     []byte
	at       time.Time
	err      error
	fetched  time.Time // when the last fetch ended (zero: never)
	inflight chan struct{}
}

func (sh *Shared) get(ctx context.Context, fetch func(context.Context) ([]byte, time.Time, error)) ([]byte, time.Time, error) {
	sh.mu.Lock()
	for {
		if !sh.fetched.IsZero() && time.Since(sh.fetched) < sh.Fresh {
			b, at, err := sh.body, sh.at, sh.err
			sh.mu.Unlock()
			return b, at, err
		}
		if sh.inflight == nil {
			break
		}
		wait := sh.inflight
		sh.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, time.Time{}, ctx.Err()
		}
		sh.mu.Lock()
	}
	done := make(chan struct{})
	sh.inflight = done
	sh.mu.Unlock()

	b, at, err := fetch(ctx)

	sh.mu.Lock()
	sh.body, sh.at, sh.err, sh.fetched, sh.inflight = b, at, err, time.Now(), nil
	sh.mu.Unlock()
	close(done)
	return b, at, err
}
