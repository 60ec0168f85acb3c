package sources

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sitrep-dev/sitrep/sources/internal/testsrv"
)

func TestReadBodyCap(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		chunked  bool
		max      int64
		wantErr  bool
		wantBody string
	}{
		{name: "under the cap is returned whole", body: "hello", max: 10, wantBody: "hello"},
		{name: "exactly the cap is not an error", body: "0123456789", max: 10, wantBody: "0123456789"},
		{name: "one byte over the cap is an error", body: "0123456789A", max: 10, wantErr: true},
		{name: "over the cap without content-length is an error", body: strings.Repeat("x", 100), chunked: true, max: 10, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.chunked {
					w.(http.Flusher).Flush()
				}
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			resp, err := HTTPClient(time.Second).Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ReadBody(resp, tt.max)
			if tt.wantErr {
				if !errors.Is(err, ErrBodyTooLarge) {
					t.Fatalf("err = %v, want ErrBodyTooLarge", err)
				}
				if !strings.Contains(err.Error(), "sources.max_body") {
					t.Errorf("error %q does not say how to fix it", err)
				}
				return
			}
			if err != nil || string(b) != tt.wantBody {
				t.Fatalf("ReadBody = %q, %v; want %q", b, err, tt.wantBody)
			}
		})
	}
}

func TestDescribeNamesTheFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()

	tests := []struct {
		name, url, want string
	}{
		{"refused port", refused, "connection refused"},
		{"unresolvable host", "http://nowhere.invalid/", "cannot resolve host"},
		{"server that never answers", "http://" + hung.Addr().String(), "timed out"},
	}
	client := NewHTTPClient(time.Second, testsrv.NXDomainResolver(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequest("GET", tt.url, nil)
			_, err := Do(ctx, client, req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if tt.want == "timed out" && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("a timeout must still match context.DeadlineExceeded: %v", err)
			}
		})
	}
}

func TestSnippetIsShortAndClean(t *testing.T) {
	got := Snippet([]byte("\x1b]0;pwned\x07boom\nsecond line"))
	if got != ": boom" {
		t.Fatalf("Snippet = %q", got)
	}
	if long := Snippet([]byte(strings.Repeat("é", 500))); len([]rune(long)) > 125 {
		t.Fatalf("Snippet not shortened: %d runes", len([]rune(long)))
	}
}

func TestRedactHidesPasswordAndQuery(t *testing.T) {
	got := Redact("https://user:hunter2@prom.internal:9090/api?token=s3cret#frag")
	if strings.Contains(got, "hunter2") || strings.Contains(got, "s3cret") || !strings.Contains(got, "prom.internal:9090/api") {
		t.Fatalf("Redact = %q", got)
	}
}

func TestDescribeDoesNotRepeatTheURL(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	req, _ := http.NewRequest("GET", "http://"+addr+"/?api_key=s3cret", nil)
	_, err := Do(context.Background(), HTTPClient(time.Second), req)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("err = %v", err)
	}
}
