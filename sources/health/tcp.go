package health

import (
	"context"
	"net"
	"time"

	"github.com/sitrep-dev/sitrep/sources"
)

// TCP is up when a TCP connection to Addr (host:port) opens.
type TCP struct {
	Name  string
	Addr  string
	Every time.Duration
	Limit time.Duration
	// Resolver looks up the host (nil: the system's).
	Resolver *net.Resolver
}

func (t *TCP) ID() string              { return "health/" + t.Name }
func (t *TCP) Kind() sources.Kind      { return sources.KindHealth }
func (t *TCP) Interval() time.Duration { return t.Every }
func (t *TCP) Timeout() time.Duration  { return t.Limit }

// Poll connects once and returns a Result.
func (t *TCP) Poll(ctx context.Context) (any, error) {
	d := net.Dialer{Resolver: t.Resolver}
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", t.Addr)
	r := Result{Name: t.Name, State: Up, At: time.Now()}
	r.Latency = r.At.Sub(start)
	if err != nil {
		r.State = Down
		r.Reason = reason("tcp %s: %v", t.Addr, sources.Describe(ctx, err))
		return r, nil
	}
	conn.Close()
	return r, nil
}
