package publish

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzStatuspageMessage: whatever a server answers, the text sitrep quotes
// is one short line without escape sequences.
func FuzzStatuspageMessage(f *testing.F) {
	for _, s := range []string{`{"error":"Could not authenticate"}`, `{"error":["a","b"]}`, `{"message":"x"}`, "\x1b]0;pwn\x07", `{"error":5}`, ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := statuspageMessage(b)
		if strings.ContainsAny(m, "\x1b\n\r\x07") || utf8.RuneCountInString(m) > 125 || !utf8.ValidString(m) {
			t.Fatalf("statuspageMessage(%q) = %q", b, m)
		}
	})
}

// FuzzRetryAfter: any header gives "absent" or a non-negative wait.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, h string) {
		if d := retryAfter(h, now); d < -1 {
			t.Fatalf("retryAfter(%q) = %s", h, d)
		}
	})
}
