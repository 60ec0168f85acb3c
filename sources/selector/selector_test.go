package selector

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    string // String() of the result
		wantErr string
	}{
		{in: "up", want: "up"},
		{in: "  ns:rate_5m  ", want: "ns:rate_5m"},
		{in: `http_requests_total{code="500"}`, want: `http_requests_total{code="500"}`},
		{in: `x{a="1", b!="2",c=~"5..",d!~"x|y",}`, want: `x{a="1",b!="2",c=~"5..",d!~"x|y"}`},
		{in: `x{path="a\"b"}`, want: `x{path="a\"b"}`},
		{in: `x{}`, want: "x"},
		{in: "", wantErr: "expected a metric name"},
		{in: "9lives", wantErr: "expected a metric name"},
		{in: `x{a}`, wantErr: "expected =, !=, =~ or !~"},
		{in: `x{a=1}`, wantErr: "quoted"},
		{in: `x{a="1"`, wantErr: "expected , or }"},
		{in: `x{a="1}`, wantErr: "unterminated"},
		{in: `x{a=~"("}`, wantErr: "invalid regexp"},
		{in: `x{a="1"} y`, wantErr: "unexpected text after }"},
		{in: `x y`, wantErr: "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			sel, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sel.String() != tt.want {
				t.Fatalf("got %s, want %s", sel, tt.want)
			}
		})
	}
}

func TestMatchersAreAnchoredAndTreatMissingLabelsAsEmpty(t *testing.T) {
	sel, err := Parse(`x{code=~"5..", env!="dev", zone=""}`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		labels map[string]string
		want   bool
	}{
		{map[string]string{"code": "500"}, true},
		{map[string]string{"code": "5000"}, false}, // anchored
		{map[string]string{"code": "x500"}, false},
		{map[string]string{"code": "503", "env": "dev"}, false},
		{map[string]string{"code": "503", "zone": "a"}, false},
	}
	for _, tt := range tests {
		if got := sel.MatchesLabels(tt.labels); got != tt.want {
			t.Errorf("MatchesLabels(%v) = %v, want %v", tt.labels, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"up", `x{a="1",b=~"c.*"}`, `x{a!~"\\"}`, `x{`, `{}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := Parse(s)
		if err != nil {
			return
		}
		// What parses must round-trip.
		again, err := Parse(sel.String())
		if err != nil || again.String() != sel.String() {
			t.Fatalf("%q -> %q does not round-trip: %v", s, sel.String(), err)
		}
		sel.MatchesLabels(map[string]string{"a": s})
	})
}
