package flags

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// jnode is a JSON value that remembers where it sits in the original
// bytes. The file provider edits a flag file by splicing bytes at these
// offsets, so everything it does not change — key order, spacing, number
// spelling, escapes — stays byte for byte.
type jnode struct {
	kind       byte // '{' object, '[' array, '"' string, '0' number, 't'/'f' bool, 'n' null
	start, end int  // the value's bytes are data[start:end]
	str        string
	members    []jmember // objects, in file order
	elems      []*jnode  // arrays
}

type jmember struct {
	key      string
	keyStart int // offset of the key's opening quote
	val      *jnode
}

// member returns the member named key and its index, or nil, -1.
func (n *jnode) member(key string) (*jmember, int) {
	for i := range n.members {
		if n.members[i].key == key {
			return &n.members[i], i
		}
	}
	return nil, -1
}

// SyntaxError is a malformed JSON document, with a position an editor can
// jump to.
type SyntaxError struct {
	Line, Col int // 1-based; Col counts characters
	Msg       string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// position converts a byte offset into a 1-based line and column.
func position(data []byte, off int) (line, col int) {
	line, col = 1, 1
	off = min(off, len(data))
	for i := 0; i < off; {
		r, size := utf8.DecodeRune(data[i:])
		i += size
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// maxDepth bounds nesting so a hostile file cannot exhaust the stack.
const maxDepth = 256

type jparser struct {
	data []byte
	pos  int
}

// parseJSON parses one JSON value (RFC 8259) spanning all of data.
func parseJSON(data []byte) (*jnode, error) {
	p := &jparser{data: data}
	p.space()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(data) {
		return nil, p.errorf("unexpected %s after the end of the JSON value", p.what())
	}
	return n, nil
}

func (p *jparser) errorf(format string, args ...any) error {
	line, col := position(p.data, p.pos)
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// what describes the byte at the cursor for an error message.
func (p *jparser) what() string {
	if p.pos >= len(p.data) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	if r == utf8.RuneError || r < 0x20 {
		return fmt.Sprintf("byte 0x%02x", p.data[p.pos])
	}
	return fmt.Sprintf("%q", r)
}

func (p *jparser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jparser) value(depth int) (*jnode, error) {
	if depth > maxDepth {
		return nil, p.errorf("nested deeper than %d levels", maxDepth)
	}
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of file, expected a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		return p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", 't')
	case c == 'f':
		return p.literal("false", 'f')
	case c == 'n':
		return p.literal("null", 'n')
	}
	return nil, p.errorf("unexpected %s, expected a value", p.what())
}

func (p *jparser) object(depth int) (*jnode, error) {
	n := &jnode{kind: '{', start: p.pos}
	p.pos++
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		n.end = p.pos
		return n, nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("unexpected %s, expected a quoted key", p.what())
		}
		keyStart := p.pos
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("unexpected %s, expected ':' after key %q", p.what(), k.str)
		}
		p.pos++
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, jmember{key: k.str, keyStart: keyStart, val: v})
		p.space()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of file, expected ',' or '}'")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			n.end = p.pos
			return n, nil
		default:
			return nil, p.errorf("unexpected %s, expected ',' or '}'", p.what())
		}
	}
}

func (p *jparser) array(depth int) (*jnode, error) {
	n := &jnode{kind: '[', start: p.pos}
	p.pos++
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		n.end = p.pos
		return n, nil
	}
	for {
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
		p.space()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of file, expected ',' or ']'")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			n.end = p.pos
			return n, nil
		default:
			return nil, p.errorf("unexpected %s, expected ',' or ']'", p.what())
		}
	}
}

func (p *jparser) string() (*jnode, error) {
	n := &jnode{kind: '"', start: p.pos}
	p.pos++
	escaped := false
	for {
		if p.pos >= len(p.data) {
			return nil, p.errorf("unterminated string")
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			n.end = p.pos
			raw := p.data[n.start:n.end]
			if !escaped && utf8.Valid(raw) {
				n.str = string(raw[1 : len(raw)-1])
				return n, nil
			}
			if err := json.Unmarshal(raw, &n.str); err != nil {
				p.pos = n.start
				return nil, p.errorf("invalid string: %v", err)
			}
			return n, nil
		case c == '\\':
			escaped = true
			if p.pos+1 >= len(p.data) {
				return nil, p.errorf("unterminated string")
			}
			switch p.data[p.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.pos += 2
			case 'u':
				for i := 2; i < 6; i++ {
					if p.pos+i >= len(p.data) || !isHex(p.data[p.pos+i]) {
						return nil, p.errorf(`invalid \u escape: want four hex digits`)
					}
				}
				p.pos += 6
			default:
				return nil, p.errorf("invalid escape \\%c in string", p.data[p.pos+1])
			}
		case c < 0x20:
			return nil, p.errorf("control character 0x%02x in string (write it as an escape)", c)
		default:
			p.pos++
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (p *jparser) number() (*jnode, error) {
	n := &jnode{kind: '0', start: p.pos}
	digits := func() int {
		s := p.pos
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
		}
		return p.pos - s
	}
	if p.data[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return nil, p.errorf("invalid number: expected a digit")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.errorf("invalid number: expected a digit after '.'")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.errorf("invalid number: expected a digit in the exponent")
		}
	}
	n.end = p.pos
	return n, nil
}

func (p *jparser) literal(word string, kind byte) (*jnode, error) {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return nil, p.errorf("unexpected %s, expected a value", p.what())
	}
	n := &jnode{kind: kind, start: p.pos, end: p.pos + len(word)}
	p.pos = n.end
	return n, nil
}

// splice is one byte-range replacement in the original document.
type splice struct {
	start, end int
	text       string
}

// applySplices returns data with the splices applied. They must not overlap.
func applySplices(data []byte, ss []splice) []byte {
	out := make([]byte, 0, len(data)+64)
	// Splices are few; apply them in offset order.
	for done := 0; ; {
		next := -1
		for i, s := range ss {
			if s.start >= done && (next < 0 || s.start < ss[next].start) {
				next = i
			}
		}
		if next < 0 {
			return append(out, data[done:]...)
		}
		s := ss[next]
		out = append(out, data[done:s.start]...)
		out = append(out, s.text...)
		done = s.end
		ss = append(ss[:next:next], ss[next+1:]...)
	}
}

// removeMember returns the splice that deletes member i of obj with its
// separator, and the exact bytes it deletes (so they can be put back).
func removeMember(data []byte, obj *jnode, i int) (splice, string) {
	m := obj.members[i]
	var s splice
	switch {
	case i > 0: // from the end of the previous value: ",\n  "key": value"
		s = splice{start: obj.members[i-1].val.end, end: m.val.end}
	case len(obj.members) > 1: // first of several: "key": value,\n  " up to the next key
		s = splice{start: m.keyStart, end: obj.members[1].keyStart}
	default: // the only member: everything between the braces
		s = splice{start: obj.start + 1, end: obj.end - 1}
	}
	return s, string(data[s.start:s.end])
}

// jsonString encodes s as a JSON string without HTML escaping (flag files
// are read by people too).
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
