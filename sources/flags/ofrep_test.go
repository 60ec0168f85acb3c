package flags

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeOFREP serves the OFREP single-flag evaluation endpoint and checks
// each request against the spec: POST, JSON body {"context": {...}}.
func fakeOFREP(t *testing.T, answer func(key string) (int, string)) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.URL.Path, "/ofrep/v1/evaluate/flags/")
		if r.Method != http.MethodPost || !ok {
			t.Errorf("%s %s; want POST /ofrep/v1/evaluate/flags/{key}", r.Method, r.URL.Path)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		raw, _ := io.ReadAll(r.Body)
		if string(raw) != `{"context":{"targetingKey":"sitrep-verify"}}` {
			t.Errorf("body %s", raw)
		}
		status, body := answer(key)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestOFREPAwaitSeesTheNewValue(t *testing.T) {
	var n atomic.Int32
	srv := fakeOFREP(t, func(key string) (int, string) {
		if n.Add(1) < 3 { // clients still have the old value for a moment
			return 200, fmt.Sprintf(`{"key":%q,"value":true,"variant":"on","reason":"STATIC"}`, key)
		}
		return 200, fmt.Sprintf(`{"key":%q,"value":false,"variant":"off","reason":"STATIC"}`, key)
	})
	o := NewOFREP(srv.URL+"/", map[string]string{"targetingKey": "sitrep-verify"}, 5*time.Second, time.Second)
	o.Every = 10 * time.Millisecond
	ev, ok, err := o.Await(context.Background(), "async-updates", Flag{Variant: "off", Value: false})
	if err != nil || !ok || ev.Variant != "off" || n.Load() != 3 {
		t.Errorf("Await = %+v, %v, %v after %d calls", ev, ok, err, n.Load())
	}
}

func TestOFREPMatchesByValueWithoutVariant(t *testing.T) {
	srv := fakeOFREP(t, func(string) (int, string) { return 200, `{"key":"k","value":false,"reason":"DEFAULT"}` })
	o := NewOFREP(srv.URL, map[string]string{"targetingKey": "sitrep-verify"}, time.Second, time.Second)
	if _, ok, err := o.Await(context.Background(), "k", Flag{Value: false}); !ok || err != nil {
		t.Errorf("value false not matched: %v", err)
	}
}

func TestOFREPGivesUpAtTheDeadline(t *testing.T) {
	srv := fakeOFREP(t, func(string) (int, string) { return 200, `{"key":"k","value":true,"variant":"on"}` })
	o := NewOFREP(srv.URL, map[string]string{"targetingKey": "sitrep-verify"}, 200*time.Millisecond, time.Second)
	o.Every = 20 * time.Millisecond
	start := time.Now()
	_, ok, err := o.Await(context.Background(), "k", Flag{Variant: "off", Value: false})
	if ok || err == nil || !strings.Contains(err.Error(), `still serves true (variant on)`) {
		t.Errorf("Await = %v, %v; want a timeout saying what clients still get", ok, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s past a 200ms deadline", d)
	}
}

func TestOFREPErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"flag not found", 404, `{"key":"k","errorCode":"FLAG_NOT_FOUND","errorDetails":"flag k\u001b[2J not found"}`, "FLAG_NOT_FOUND: flag k not found"},
		{"server error", 500, "upstream down", "HTTP 500: upstream down"},
		{"not json", 200, "<html>", "not OFREP JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeOFREP(t, func(string) (int, string) { return tc.status, tc.body })
			o := NewOFREP(srv.URL, map[string]string{"targetingKey": "sitrep-verify"}, time.Second, time.Second)
			_, err := o.Evaluate(context.Background(), "k")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v; want %q", err, tc.want)
			}
		})
	}
}

func TestMatchesComparesJSONValues(t *testing.T) {
	var num any
	_ = json.Unmarshal([]byte(`1.5`), &num)
	for _, tc := range []struct {
		name string
		ev   Evaluation
		want Flag
		ok   bool
	}{
		{"variant decides when both have one", Evaluation{Variant: "off", Value: true}, Flag{Variant: "off", Value: false}, true},
		{"other variant", Evaluation{Variant: "on", Value: false}, Flag{Variant: "off", Value: false}, false},
		{"number value", Evaluation{Value: num}, Flag{Value: 1.5}, true},
		{"unknown expected value never matches", Evaluation{Value: false}, Flag{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Matches(tc.ev, tc.want); got != tc.ok {
				t.Errorf("Matches = %v", got)
			}
		})
	}
}
