package flags

import (
	"encoding/json"
	"testing"
)

func jsonRoundTrip(t *testing.T, u map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
