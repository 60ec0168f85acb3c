package flags

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// FuzzParseJSON checks the position-keeping parser against encoding/json:
// it accepts exactly the documents json.Valid accepts (up to its depth
// limit), never panics, and its spans cover the whole value.
func FuzzParseJSON(f *testing.F) {
	seed, _ := os.ReadFile("testdata/golden/flags.json")
	for _, s := range []string{string(seed), `{}`, `[1,2.5e-3,"\u00e9",true,null]`, `{"a":`, `"\ud800"`, "-0.0E+1", `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := parseJSON(data)
		valid := json.Valid(data)
		if err == nil != valid {
			if err != nil && strings.Contains(err.Error(), "nested deeper") {
				return
			}
			t.Fatalf("parseJSON err=%v but json.Valid=%v for %q", err, valid, data)
		}
		if err == nil {
			trimmed := bytes.TrimSpace(data)
			if !bytes.Equal(data[n.start:n.end], trimmed) {
				t.Fatalf("root span %d:%d is not the whole value", n.start, n.end)
			}
		} else if se, ok := err.(*SyntaxError); !ok || se.Line < 1 || se.Col < 1 {
			t.Fatalf("error without a position: %v", err)
		}
	})
}

// FuzzFlagdEdit checks, for any file the flagd parser accepts, that a kill
// (with and without dropping targeting) yields a valid flag file with that
// flag off, and that restoring from the undo record gives back the
// original bytes exactly.
func FuzzFlagdEdit(f *testing.F) {
	seed, _ := os.ReadFile("testdata/golden/flags.json")
	f.Add(seed, false)
	f.Add(seed, true)
	f.Add([]byte(`{"flags":{"a":{"targeting":{},"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":null}}}`), true)
	f.Fuzz(func(t *testing.T, data []byte, drop bool) {
		doc, err := parseFlagd(data)
		if err != nil {
			return
		}
		for i := range doc.flags {
			fl := &doc.flags[i]
			off, err := fl.pickVariant("", false, "off")
			if err != nil || fl.state == "DISABLED" {
				continue
			}
			out, _, undo, err := doc.edit(fl, Change{Key: fl.key, DropTargeting: drop}, off, true)
			if err != nil {
				t.Fatalf("kill %q: %v", fl.key, err)
			}
			next, err := parseFlagd(out)
			if err != nil {
				t.Fatalf("kill %q produced an invalid file: %v\n%s", fl.key, err, out)
			}
			k := next.flag(fl.key)
			if k == nil || k.dvName != off || (drop && k.target != nil) {
				t.Fatalf("kill %q did not take effect:\n%s", fl.key, out)
			}
			if bytes.Equal(out, data) {
				continue
			}
			b, _ := json.Marshal(undo)
			var u map[string]any
			_ = json.Unmarshal(b, &u)
			back, _, _, err := next.edit(k, Change{Key: fl.key, Restore: u}, off, true)
			if err != nil {
				t.Fatalf("restore %q: %v", fl.key, err)
			}
			if !bytes.Equal(back, data) {
				t.Fatalf("restore %q did not give back the original:\n%s\n---\n%s", fl.key, back, data)
			}
		}
	})
}
