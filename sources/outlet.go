package sources

import (
	"context"
	"sync"
)

// outlet delivers snapshots to one consumer without ever blocking the
// producers: it keeps only the latest undelivered snapshot per source and
// hands them out in the order the sources first became pending. A slow
// consumer therefore sees fewer, newer snapshots — never an old one after
// a newer one, and never a missing latest.
type outlet struct {
	out chan Snapshot

	mu      sync.Mutex
	pending map[string]Snapshot
	order   []string
	wake    chan struct{}
}

func newOutlet() *outlet {
	return &outlet{
		out:     make(chan Snapshot),
		pending: map[string]Snapshot{},
		wake:    make(chan struct{}, 1),
	}
}

// put replaces the pending snapshot of s.ID. It never blocks.
func (o *outlet) put(s Snapshot) {
	o.mu.Lock()
	if _, ok := o.pending[s.ID]; !ok {
		o.order = append(o.order, s.ID)
	}
	o.pending[s.ID] = s
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

func (o *outlet) next() (Snapshot, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.order) == 0 {
		return Snapshot{}, false
	}
	id := o.order[0]
	o.order = o.order[1:]
	s := o.pending[id]
	delete(o.pending, id)
	return s, true
}

// run forwards pending snapshots to out until ctx is done, then closes out.
func (o *outlet) run(ctx context.Context) {
	defer close(o.out)
	for {
		s, ok := o.next()
		if !ok {
			select {
			case <-o.wake:
				continue
			case <-ctx.Done():
				return
			}
		}
		select {
		case o.out <- s:
		case <-ctx.Done():
			return
		}
	}
}
