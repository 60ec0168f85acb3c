package commands

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sitrep-dev/sitrep/commands/publish"
	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
)

// TestPreviewGolden pins the preview exactly as the commander sees it
// before publishing, for a realistic update to one target of each kind.
// Regenerate with SITREP_UPDATE_GOLDEN=1.
func TestPreviewGolden(t *testing.T) {
	t.Setenv("TEST_SP_KEY", "k")
	t.Setenv("TEST_GH_KEY", "k")
	cfg, err := config.Parse("../testdata/status/sitrep.yaml", mustRead(t, "../testdata/status/sitrep.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	targets, err := publish.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, j := newIncident(t)
	mustDraft(t, j, DraftOptions{
		State: "identified", Impact: "major", Title: "Slow responses and errors from the API and website",
		Body: "Since 05:45 UTC many requests to the API and website are slow or fail with HTTP 500.\n\n" +
			"We have identified the cause: our primary database is overloaded after planned maintenance. We are adding capacity.",
		Components: []incident.ComponentStatus{{Name: "API", Status: "partial_outage"}, {Name: "Website", Status: "degraded_performance"}},
	})
	p, err := PreviewStatus(j, targets, t0)
	if err != nil {
		t.Fatal(err)
	}
	p.UpdateID = "u-000000000000" // random per run
	got := p.String()
	golden := "../testdata/status/preview.golden"
	if os.Getenv("SITREP_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := string(mustRead(t, golden)); got != want {
		t.Errorf("preview =\n%s\nwant (%s)\n%s", got, filepath.Base(golden), want)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
