package alerts

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const sample = `[
 {"labels":{"alertname":"DiskFull","severity":"warning","instance":"db1"},"annotations":{"summary":"disk 91%"},"startsAt":"2026-01-01T10:00:00Z","fingerprint":"a1"},
 {"labels":{"alertname":"APIDown","severity":"critical"},"annotations":{"description":"no 2xx\u001b[31m for 5m"},"startsAt":"2026-01-01T10:05:00Z","fingerprint":"b2"},
 {"labels":{"alertname":"Old\u001b]0;x\u0007Crit","severity":"critical"},"annotations":{"summary":"older"},"startsAt":"2026-01-01T09:00:00Z","fingerprint":"c3"},
 {"labels":{"alertname":"Odd","severity":"whatever"},"annotations":{},"startsAt":"2026-01-01T08:00:00Z"}
]`

func TestPollReadsActiveAlertsMostSevereThenOldestFirst(t *testing.T) {
	var query string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/prefix/api/v2/alerts" || r.Header.Get("Authorization") != "Bearer t" {
			http.NotFound(w, r)
			return
		}
		query = r.URL.RawQuery
		_, _ = w.Write([]byte(sample))
	}))
	defer srv.Close()
	p := &Poller{URL: srv.URL + "/prefix/", Limit: time.Second, Auth: func(r *http.Request) error {
		r.Header.Set("Authorization", "Bearer t")
		return nil
	}}
	v, err := p.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if query != "active=true&silenced=false&inhibited=false" {
		t.Errorf("query = %q", query)
	}
	got := v.([]Alert)
	var names []string
	for _, a := range got {
		names = append(names, a.Name)
	}
	if strings.Join(names, ",") != "Old0;xCrit,APIDown,DiskFull,Odd" && strings.Join(names, ",") != "OldCrit,APIDown,DiskFull,Odd" {
		t.Fatalf("order = %v, want critical (oldest first), warning, unknown", names)
	}
	if strings.ContainsAny(got[0].Name, "\x1b\x07") {
		t.Fatalf("name not sanitized: %q", got[0].Name)
	}
	if got[1].Summary != "no 2xx for 5m" {
		t.Errorf("summary falls back to a sanitized description: %q", got[1].Summary)
	}
	if got[2].Labels["instance"] != "db1" || got[2].Severity != "warning" || got[2].Key() != "a1" {
		t.Errorf("DiskFull = %+v", got[2])
	}
	if got[3].Key() == "" {
		t.Error("an alert without a fingerprint has no key")
	}
}
