package demo

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// FuzzParseFlags: any file either fails to parse or yields flags whose
// every evaluation, with any context, ends in a value of a defined
// variant, a deferral, or a coded error — never a panic.
func FuzzParseFlags(f *testing.F) {
	f.Add([]byte(initialFlags), []byte(`{"email":"a@example.com","region":"eu-west-1"}`))
	f.Add([]byte(`{"flags":{"a":{"state":"DISABLED","variants":{"x":1},"defaultVariant":"x"}}}`), []byte(`{}`))
	f.Add([]byte(`{"flags":{"a":{"state":"ENABLED","variants":{"x":1,"y":2},"defaultVariant":"x","targeting":{"if":[{"<":[1,{"var":"n"},3]},"y"]}}}}`), []byte(`{"n":2}`))
	f.Fuzz(func(t *testing.T, file, ctxJSON []byte) {
		fs, err := parseFlags(file)
		if err != nil {
			return
		}
		var ctx map[string]any
		_ = json.Unmarshal(ctxJSON, &ctx)
		for key, def := range fs.flags {
			r, err := fs.evaluate(key, ctx, time.Unix(0, 0))
			if err != nil {
				if _, ok := err.(*evalError); !ok {
					t.Fatalf("%s: error %v has no OpenFeature code", key, err)
				}
				continue
			}
			if r.Value == nil {
				continue
			}
			if v, ok := def.Variants[r.Variant]; !ok || !bytes.Equal(v, r.Value) || !json.Valid(r.Value) {
				t.Fatalf("%s: value %s is not variant %q's", key, r.Value, r.Variant)
			}
		}
	})
}

// FuzzDecodeEvalRequest: an OFREP request body yields a context object or
// an error, never a panic.
func FuzzDecodeEvalRequest(f *testing.F) {
	f.Add([]byte(`{"context":{"targetingKey":"u1","email":"a@b.c"}}`))
	f.Add([]byte(`{"context":null}`))
	f.Add([]byte(`{"context":[1]}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx, err := decodeEvalRequest(bytes.NewReader(body))
		if err != nil && ctx != nil {
			t.Fatalf("both a context and an error: %v %v", ctx, err)
		}
	})
}
