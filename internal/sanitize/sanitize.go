// Package sanitize makes strings from outside sitrep safe to draw in a terminal
// and to embed in exports.
//
// Every string that did not originate in sitrep itself (metric labels, flag
// keys, PR titles, health-check bodies, notes typed by another user) passes
// through Line or Text before it is drawn or exported. A hostile or merely
// broken upstream can otherwise retitle the window (OSC 0), clear the screen
// (CSI 2J), hide text behind bidi overrides, or smuggle escapes into a
// postmortem that someone later cats in their terminal.
package sanitize

import (
	"strings"
	"unicode/utf8"
)

// Line returns s as a single line of plain text: escape sequences are
// removed, every other control character (including newlines and tabs) is
// turned into a space, and invalid UTF-8 becomes U+FFFD.
func Line(s string) string { return clean(s, false) }

// Text is like Line but keeps newlines (so notes and status bodies keep their
// paragraphs); tabs become spaces and CR LF becomes LF.
func Text(s string) string { return clean(s, true) }

// IsClean reports whether s would pass through Line unchanged.
func IsClean(s string) bool { return !needsWork(s, false) }

func needsWork(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return true
		}
		if r == '\n' && keepNewlines {
			i += size
			continue
		}
		if isControl(r) || isBidi(r) {
			return true
		}
		i += size
	}
	return false
}

func clean(s string, keepNewlines bool) string {
	if !needsWork(s, keepNewlines) {
		return s // the common case costs no allocation
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
			i++
		case r == 0x1b: // ESC: drop the whole sequence it introduces
			i += skipEscape(s[i+1:]) + 1
		case r == 0x9b: // C1 CSI
			i += size + skipCSI(s[i+size:])
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // C1 OSC, DCS, SOS, PM, APC
			i += size + skipString(s[i+size:])
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
			i += size
		case r == '\r' && keepNewlines && i+1 < len(s) && s[i+1] == '\n':
			i += size // CR LF -> LF
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			b.WriteByte(' ')
			i += size
		case isControl(r) || isBidi(r):
			i += size
		default:
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return b.String()
}

// isControl reports C0, DEL and C1 control characters.
func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }

// isBidi reports the explicit directional formatting characters that can make
// a terminal show text in a different order than it is stored ("Trojan
// Source"), plus the BOM and zero-width characters used to hide text.
func isBidi(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	case r == 0xfeff, r == 0x200b:
		return true
	}
	return false
}

// skipEscape returns how many bytes after an ESC belong to its sequence.
func skipEscape(s string) int {
	if s == "" {
		return 0
	}
	switch s[0] {
	case '[':
		return 1 + skipCSI(s[1:])
	case ']', 'P', 'X', '^', '_':
		return 1 + skipString(s[1:])
	}
	// nF sequences: intermediates 0x20-0x2f then one final byte 0x30-0x7e.
	n := 0
	for n < len(s) && s[n] >= 0x20 && s[n] <= 0x2f {
		n++
	}
	if n < len(s) && s[n] >= 0x30 && s[n] <= 0x7e {
		return n + 1
	}
	return n
}

// skipCSI skips parameter and intermediate bytes and the final byte of a
// control sequence. A malformed sequence ends at the first byte outside the
// grammar, which is then handled as ordinary input.
func skipCSI(s string) int {
	n := 0
	for n < len(s) && s[n] >= 0x20 && s[n] <= 0x3f {
		n++
	}
	if n < len(s) && s[n] >= 0x40 && s[n] <= 0x7e {
		return n + 1
	}
	return n
}

// skipString skips an OSC/DCS/SOS/PM/APC payload up to and including its
// terminator (BEL, ESC \ or C1 ST). An unterminated string swallows the rest
// of the input: printing any of it would be printing inside the sequence.
func skipString(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0x07:
			return i + 1
		case 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i // a new sequence starts; let the caller handle it
		case 0xc2:
			if i+1 < len(s) && s[i+1] == 0x9c { // U+009C ST
				return i + 2
			}
		}
	}
	return len(s)
}
