package metric

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/sources/selector"
)

func TestMetricsOfOneEndpointShareEachFetch(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("# TYPE a gauge\na 1\n# TYPE b gauge\nb 2\n# TYPE c gauge\nc 3\n"))
	}))
	defer srv.Close()
	sh := &Shared{Fresh: 500 * time.Millisecond}
	var scrapes []*Scrape
	for _, name := range []string{"a", "b", "c"} {
		sel, err := selector.Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		scrapes = append(scrapes, &Scrape{Name: name, URL: srv.URL, Series: sel, Every: time.Second, Limit: time.Second, MaxBody: 1 << 20, Shared: sh})
	}
	var wg sync.WaitGroup
	want := map[string]float64{"a": 1, "b": 2, "c": 3}
	for _, s := range scrapes {
		wg.Add(1)
		go func(s *Scrape) {
			defer wg.Done()
			v, err := s.Poll(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			if got := v.(Value).Current; got != want[s.Name] {
				t.Errorf("%s = %v, want %v", s.Name, got, want[s.Name])
			}
		}(s)
	}
	wg.Wait()
	if n := hits.Load(); n != 1 {
		t.Fatalf("three metrics of one endpoint made %d requests, want 1", n)
	}
	time.Sleep(600 * time.Millisecond)
	if _, err := scrapes[0].Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 2 {
		t.Fatalf("a stale body was reused: %d requests, want 2", n)
	}
}

func TestSharedFetchWaiterHonoursItsOwnDeadline(t *testing.T) {
	release := make(chan struct{})
	sh := &Shared{Fresh: time.Second}
	go sh.get(context.Background(), func(context.Context) ([]byte, time.Time, error) {
		<-release
		return nil, time.Now(), nil
	})
	time.Sleep(20 * time.Millisecond) // the first fetch is in flight
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := sh.get(ctx, func(context.Context) ([]byte, time.Time, error) { return nil, time.Now(), nil })
	close(release)
	if err == nil || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("waiter: err %v after %v; want its own deadline", err, time.Since(start))
	}
}
