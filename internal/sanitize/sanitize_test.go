package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text is unchanged", "api p99 latency", "api p99 latency"},
		{"unicode is kept", "déjà vu ✓ 日本", "déjà vu ✓ 日本"},
		{"OSC title with BEL is removed", "a\x1b]0;pwned\x07b", "ab"},
		{"OSC with ST is removed", "a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"},
		{"clear screen CSI is removed", "x\x1b[2Jy", "xy"},
		{"SGR colour is removed", "\x1b[31mred\x1b[0m", "red"},
		{"private mode CSI is removed", "\x1b[?1049hz", "z"},
		{"C1 CSI is removed", "a\u009b2Jb", "ab"},
		{"C1 OSC is removed", "a\u009d0;t\u0007b", "ab"},
		{"DCS is removed", "a\x1bPq#0\x1b\\b", "ab"},
		{"two-byte escape is removed", "a\x1bcb", "ab"},
		{"charset designation is removed", "a\x1b(Bb", "ab"},
		{"lone ESC at end", "abc\x1b", "abc"},
		{"unterminated OSC swallows rest", "ok\x1b]0;never ends", "ok"},
		{"newline becomes space", "two\nlines", "two lines"},
		{"tab becomes space", "a\tb", "a b"},
		{"NUL and BEL are dropped", "a\x00b\x07c", "abc"},
		{"DEL is dropped", "a\x7fb", "ab"},
		{"bidi override is dropped", "user\u202Egnp.exe", "usergnp.exe"},
		{"isolates are dropped", "a\u2066b\u2069c", "abc"},
		{"zero width space dropped", "a\u200bb", "ab"},
		{"invalid utf8 becomes replacement", "a\xffb", "a\uFFFDb"},
		{"backspace overwrite trick is dropped", "safe\b\b\b\bEVIL", "safeEVIL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"newlines kept", "a\nb", "a\nb"},
		{"CRLF becomes LF", "a\r\nb", "a\nb"},
		{"lone CR becomes space", "a\rb", "a b"},
		{"escapes still removed", "a\n\x1b[2Jb", "a\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanStringIsNotCopied(t *testing.T) {
	s := strings.Repeat("ok ", 100)
	allocs := testing.AllocsPerRun(100, func() { _ = Line(s) })
	if allocs != 0 {
		t.Fatalf("Line allocated %v times for clean input", allocs)
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]0;x\x07", "\x1b[2J", "\u202e", "\xff\xfe", "\x1bP\x1b\\", "\u009b1m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Line(in)
		assertSafe(t, in, out, false)
		if Line(out) != out {
			t.Fatalf("Line is not idempotent: %q -> %q -> %q", in, out, Line(out))
		}
		txt := Text(in)
		assertSafe(t, in, txt, true)
	})
}

func assertSafe(t *testing.T, in, out string, newlinesOK bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output is not valid UTF-8: %q -> %q", in, out)
	}
	for _, r := range out {
		if r == '\n' && newlinesOK {
			continue
		}
		if isControl(r) || isBidi(r) {
			t.Fatalf("control rune %U survived: %q -> %q", r, in, out)
		}
	}
}
