package demo

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseFlagsRejectsWhatFlagdRejects(t *testing.T) {
	tests := []struct {
		name, file, wantErr string
	}{
		{"the demo's own file loads", initialFlags, ""},
		{"not JSON", `{"flags":`, "not valid JSON"},
		{"no flags object", `{"$schema":"x"}`, `no "flags" object`},
		{"unknown state", `{"flags":{"a":{"state":"ON","variants":{"on":true},"defaultVariant":"on"}}}`, `state "ON"`},
		{"no variants", `{"flags":{"a":{"state":"ENABLED","variants":{},"defaultVariant":"on"}}}`, "no variants"},
		{"default variant not defined", `{"flags":{"a":{"state":"ENABLED","variants":{"on":true},"defaultVariant":"off"}}}`, `defaultVariant "off"`},
		{"targeting not an object", `{"flags":{"a":{"state":"ENABLED","variants":{"on":true},"defaultVariant":"on","targeting":[1]}}}`, "targeting must be a JSON object"},
		{"flag not an object", `{"flags":{"a":3}}`, `flag "a"`},
		{"empty targeting is no targeting", `{"flags":{"a":{"state":"ENABLED","variants":{"on":true},"defaultVariant":"on","targeting":{}}}}`, ""},
		{"null default variant is allowed", `{"flags":{"a":{"state":"ENABLED","variants":{"on":true},"defaultVariant":null}}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFlags([]byte(tt.file))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestEvaluateLikeFlagd(t *testing.T) {
	fs, err := parseFlags([]byte(initialFlags))
	if err != nil {
		t.Fatal(err)
	}
	extra, err := parseFlags([]byte(`{"flags":{
		"disabled":{"state":"DISABLED","variants":{"on":true,"off":false},"defaultVariant":"on"},
		"no-default":{"state":"ENABLED","variants":{"on":true},"defaultVariant":null},
		"bad-op":{"state":"ENABLED","variants":{"on":true},"defaultVariant":"on","targeting":{"sem_ver":[{"var":"v"},">=","1.0.0"]}},
		"bad-variant":{"state":"ENABLED","variants":{"on":true},"defaultVariant":"on","targeting":{"if":[true,"purple"]}},
		"bool-variant":{"state":"ENABLED","variants":{"true":1,"false":0},"defaultVariant":"false","targeting":{"==":[{"var":"tier"},"gold"]}},
		"number-result":{"state":"ENABLED","variants":{"on":true},"defaultVariant":"on","targeting":{"if":[true,7]}},
		"by-key":{"state":"ENABLED","variants":{"a":"A","b":"B"},"defaultVariant":"a","targeting":{"if":[{"==":[{"var":"$flagd.flagKey"},"by-key"]},"b"]}}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range extra.flags {
		fs.flags[k] = v
	}
	tests := []struct {
		name, key string
		ctx       map[string]any
		value     string // JSON; "" = no value (code default)
		variant   string
		reason    string
		errCode   string
	}{
		{"no targeting is STATIC", FlagKey, nil, "true", "on", reasonStatic, ""},
		{"targeting match picks its variant", "new-checkout", map[string]any{"email": "ann@example.com"}, "true", "on", reasonTargetingMatch, ""},
		{"targeting null falls back to the default", "new-checkout", map[string]any{"email": "ann@elsewhere.org"}, "false", "off", reasonDefault, ""},
		{"targeting with no context falls back", "new-checkout", nil, "false", "off", reasonDefault, ""},
		{"string variants", "search-backend", map[string]any{"region": "eu-west-1"}, `"opensearch"`, "v2", reasonTargetingMatch, ""},
		{"a boolean result names the variant", "bool-variant", map[string]any{"tier": "gold"}, "1", "true", reasonTargetingMatch, ""},
		{"$flagd.flagKey is in the context", "by-key", nil, `"B"`, "b", reasonTargetingMatch, ""},
		{"disabled defers to the code default", "disabled", nil, "", "", reasonDisabled, ""},
		{"no default variant defers to code", "no-default", nil, "", "", reasonDefault, ""},
		{"unknown flag", "nope", nil, "", "", "", codeFlagNotFound},
		{"unsupported operator is a parse error", "bad-op", nil, "", "", "", codeParseError},
		{"targeting naming an undefined variant", "bad-variant", nil, "", "", "", codeGeneral},
		{"targeting returning a number", "number-result", nil, "", "", "", codeGeneral},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := fs.evaluate(tt.key, tt.ctx, time.Unix(1700000000, 0))
			if tt.errCode != "" {
				var ee *evalError
				if !errors.As(err, &ee) || ee.Code != tt.errCode {
					t.Fatalf("error %v, want code %s", err, tt.errCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(r.Value) != tt.value || r.Variant != tt.variant || r.Reason != tt.reason {
				t.Errorf("got value %s variant %q reason %s, want %s %q %s", r.Value, r.Variant, r.Reason, tt.value, tt.variant, tt.reason)
			}
		})
	}
}

func TestBoolValueUsesTheCodeDefaultWhenDeferred(t *testing.T) {
	fs, err := parseFlags([]byte(`{"flags":{
		"off":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off"},
		"disabled":{"state":"DISABLED","variants":{"on":true,"off":false},"defaultVariant":"on"},
		"string":{"state":"ENABLED","variants":{"a":"x"},"defaultVariant":"a"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key       string
		def, want bool
	}{{"off", true, false}, {"disabled", false, false}, {"disabled", true, true}, {"string", true, true}, {"missing", false, false}} {
		if got := fs.boolValue(tc.key, tc.def); got != tc.want {
			t.Errorf("boolValue(%q, %v) = %v, want %v", tc.key, tc.def, got, tc.want)
		}
	}
}

func TestJSONLogicSubset(t *testing.T) {
	data := map[string]any{"user": map[string]any{"email": "a@b.io", "age": 30.0, "tags": []any{"x", "y"}}, "n": "5"}
	tests := []struct{ rule, want string }{
		{`{"var":"user.email"}`, `"a@b.io"`},
		{`{"var":["user.missing","dflt"]}`, `"dflt"`},
		{`{"var":"user.tags.1"}`, `"y"`},
		{`{"==":[{"var":"n"},5]}`, `true`},
		{`{"===":[{"var":"n"},5]}`, `false`},
		{`{"!=":[1,2]}`, `true`},
		{`{"!==":[1,1]}`, `false`},
		{`{"!":[[]]}`, `true`},
		{`{"!!":["a"]}`, `true`},
		{`{"and":[true,0,"never"]}`, `0`},
		{`{"or":[false,"",7]}`, `7`},
		{`{"if":[false,"a",false,"b","c"]}`, `"c"`},
		{`{"if":[false,"a"]}`, `null`},
		{`{"<":[1,{"var":"user.age"},40]}`, `true`},
		{`{">=":[{"var":"user.age"},31]}`, `false`},
		{`{"in":["y",{"var":"user.tags"}]}`, `true`},
		{`{"in":["b.i",{"var":"user.email"}]}`, `true`},
		{`{"starts_with":[{"var":"user.email"},"a@"]}`, `true`},
		{`{"ends_with":[{"var":"user.email"},".com"]}`, `false`},
		{`[1,{"var":"n"}]`, `[1,"5"]`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			var rule any
			if err := json.Unmarshal([]byte(tt.rule), &rule); err != nil {
				t.Fatal(err)
			}
			got, err := jsonLogic(rule, data)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got)
			if string(b) != tt.want {
				t.Errorf("got %s, want %s", b, tt.want)
			}
		})
	}
	for _, bad := range []string{`{"fractional":[1]}`, `{"a":1,"b":2}`, `{"<":[1]}`} {
		var rule any
		_ = json.Unmarshal([]byte(bad), &rule)
		if _, err := jsonLogic(rule, data); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}
