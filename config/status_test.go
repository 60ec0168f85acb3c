package config

import (
	"strings"
	"testing"
)

func TestStatusValidation(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // "" = valid; else a substring of the error (with its position)
	}{
		{"every provider with what it needs", `
status:
  - {provider: statuspage, page: p1, token_env: SP, components: {API: c1}}
  - {provider: github, repo: org/svc, token_env: GH}
  - {provider: webhook, url: https://hooks.example/x, format: full}
  - {provider: file, path: status.md}
status_templates:
  investigating: "We are looking at {{.Components}} since {{.Started}} ({{.Elapsed}})."
`, ""},
		{"a component without its id names the key", `
status:
  - {provider: statuspage, page: p1, token_env: SP, components: {API: ""}}
`, "sitrep.yaml:3:71: status[0].components.API: needs the Statuspage component id"},
		{"components only belong to statuspage", `
status:
  - {provider: webhook, url: https://hooks.example/x, components: {API: c1}}
`, "status[0].components: only statuspage targets map components to ids"},
		{"github needs a token somewhere", `
status:
  - {provider: github, repo: org/svc}
`, "status[0].token_env: is required (or token_file, or github.token_env)"},
		{"github token may come from the github section", `
github: {repos: [org/svc], token_env: GH}
status:
  - {provider: github}
`, ""},
		{"github repo must be owner/name", `
status:
  - {provider: github, repo: svc, token_env: GH}
`, `status[0].repo: "svc" is not owner/name`},
		{"a template naming an unknown field is caught at load", `
status_templates:
  resolved: "Fixed {{.Titel}}"
`, "status_templates.resolved: template fails on an incident"},
		{"a template with bad syntax is caught", `
status_templates:
  resolved: "Fixed {{.Title"
`, "status_templates.resolved: invalid template"},
		{"a template for an unknown state is refused", `
status_templates:
  fixed: "x"
`, `status_templates.fixed: "fixed" is not one of`},
		{"a webhook URL may come from the environment", `
status:
  - {provider: webhook, url_env: SLACK_WEBHOOK_URL}
`, ""},
		{"a webhook needs a URL from somewhere", `
status:
  - {provider: webhook, format: slack}
`, "status[0].url: is required (or url_env / url_file"},
		{"a webhook URL is given once", `
status:
  - {provider: webhook, url: https://hooks.example/x, url_env: HOOK}
`, "status[0].url: set one of url, url_env and url_file"},
		{"only webhooks have a url", `
status:
  - {provider: file, path: s.md, url: https://x.example/}
`, "status[0].url: only webhook targets have a url"},
		{"two targets with one name", `
status:
  - {provider: file, path: a.md}
  - {provider: file, path: b.md}
`, `two status targets are called "file"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("sitrep.yaml", []byte(tt.yaml))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error:\n%v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestStatusDefaults(t *testing.T) {
	c, err := Parse("sitrep.yaml", []byte(`
status:
  - {provider: statuspage, page: p1, token_env: SP, base_url: "http://127.0.0.1:8080/api"}
  - {provider: webhook, url: https://hooks.example/x}
`))
	if err != nil {
		t.Fatal(err)
	}
	sp, wh := c.Status[0], c.Status[1]
	if sp.Name != "statuspage" || sp.BaseURL != "http://127.0.0.1:8080/api/" || !*sp.Notify || sp.Timeout.D().String() != "10s" {
		t.Errorf("statuspage defaults: %+v", sp)
	}
	if wh.Format != "slack" || wh.BaseURL != "" {
		t.Errorf("webhook defaults: %+v", wh)
	}
}
