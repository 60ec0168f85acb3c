// Package testsrv starts misbehaving loopback servers for tests: one that
// never answers, one that drips, one that floods, a DNS server that knows
// no names. Everything listens on 127.0.0.1 and stops with the test.
package testsrv

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Hung accepts connections and never writes a byte. It returns host:port.
func Hung(t testing.TB) string {
	t.Helper()
	ln := listen(t)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // hold it open, say nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// Refused returns a loopback host:port nothing listens on.
func Refused(t testing.TB) string {
	t.Helper()
	ln := listen(t)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Drip answers 200 with headers at once, then one byte a second.
func Drip(t testing.TB) string {
	return Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte("#")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	}))
}

// Flood answers 200 with n bytes of comment lines (valid exposition text
// and not JSON), streamed without a Content-Length so the client has to
// notice the size itself. *sent counts the bytes actually written.
func Flood(t testing.TB, n int64, sent *atomic.Int64) string {
	chunk := []byte(strings.Repeat("# x\n", 16<<10))
	return Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for left := n; left > 0; {
			c := chunk
			if int64(len(c)) > left {
				c = c[:left]
			}
			m, err := w.Write(c)
			sent.Add(int64(m))
			if err != nil {
				return
			}
			left -= int64(m)
		}
	}))
}

// Fixed answers every request with code and body.
func Fixed(t testing.TB, code int, contentType, body string) string {
	return Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}))
}

// Serve starts h on loopback and returns its base URL.
func Serve(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadHeaderTimeout = 5 * time.Second
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}

// NXDomainResolver is a resolver whose only DNS server is a loopback one
// answering every question with NXDOMAIN, so a test of an unresolvable
// host never sends a query off the machine.
func NXDomainResolver(t testing.TB) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			end := 12 // keep the header and the question only
			for end < n && buf[end] != 0 {
				end += int(buf[end]) + 1
			}
			end += 5 // root label, type, class
			if end > n {
				continue
			}
			resp := append([]byte(nil), buf[:end]...)
			resp[2] = 0x80 | (resp[2] & 0x79) // QR=1, keep opcode and RD
			resp[3] = 0x80 | 3                // RA=1, RCODE=NXDOMAIN
			for i := 6; i < 12; i++ {         // no answer/authority/additional
				resp[i] = 0
			}
			_, _ = pc.WriteTo(resp, from)
		}
	}()
	addr := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
