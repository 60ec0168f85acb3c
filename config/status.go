package config

import (
	"fmt"
	"text/template"
)

// StatusTarget is one place status updates are published (`status:` is a list).
type StatusTarget struct {
	Provider string `yaml:"provider"` // statuspage | github | webhook | file
	Name     string `yaml:"name"`     // default: the provider type

	// statuspage (Atlassian Statuspage REST v1)
	Page       string            `yaml:"page"`
	Components map[string]string `yaml:"components"` // component name -> component id
	Notify     *bool             `yaml:"notify"`     // deliver_notifications, default true
	BaseURL    string            `yaml:"base_url"`   // default https://api.statuspage.io/

	// github: a comment on the incident's tracking issue
	Repo string `yaml:"repo"`

	// webhook
	URL    string `yaml:"url"`
	Format string `yaml:"format"` // slack (default: {"text": ...}) | full

	// file: a Markdown file the rendered update is appended to
	Path string `yaml:"path"`

	TokenEnv  string   `yaml:"token_env"`
	TokenFile string   `yaml:"token_file"`
	Timeout   Duration `yaml:"timeout"`
}

// StatusTemplates are Go text/templates for the first draft of an update,
// one per state (investigating, identified, monitoring, resolved).
type StatusTemplates map[string]string

var statusStates = []string{"investigating", "identified", "monitoring", "resolved"}

func (c *Config) validateStatus(v *validator) {
	names := map[string]bool{}
	for i, t := range c.Status {
		p := fmt.Sprintf("status[%d]", i)
		name := orString(t.Name, t.Provider)
		if names[name] {
			v.errorf(p+".name", "two status targets are called %q; give each a distinct name", name)
		}
		names[name] = true
		switch t.Provider {
		case "":
			v.errorf(p+".provider", "is required: statuspage, github, webhook or file")
		case "statuspage":
			v.required(p+".page", t.Page)
			if t.TokenEnv == "" && t.TokenFile == "" {
				v.errorf(p+".token_env", "is required (or token_file): the Statuspage API needs a key")
			}
			v.httpURL(p+".base_url", t.BaseURL)
		case "github":
			if t.Repo == "" && c.GitHub == nil {
				v.errorf(p+".repo", "is required (owner/name), or configure github:")
			}
		case "webhook":
			if v.required(p+".url", t.URL) {
				v.httpURL(p+".url", t.URL)
			}
			v.oneOf(p+".format", t.Format, "slack", "full")
		case "file":
			v.required(p+".path", t.Path)
		default:
			v.errorf(p+".provider", "%q is not one of: statuspage, github, webhook, file", t.Provider)
		}
		v.secret(p, "token_env", t.TokenEnv, "token_file", t.TokenFile)
		v.positive(p+".timeout", t.Timeout)
	}
	for state, text := range c.Templates {
		p := "status_templates." + state
		v.oneOf(p, state, statusStates...)
		if _, err := template.New(state).Parse(text); err != nil {
			v.errorf(p, "invalid template: %v", err)
		}
	}
}

func (c *Config) defaultStatus() {
	for i := range c.Status {
		t := &c.Status[i]
		if t.Name == "" {
			t.Name = t.Provider
		}
		if t.Provider == "statuspage" && t.BaseURL == "" {
			t.BaseURL = "https://api.statuspage.io/"
		}
		if t.Provider == "webhook" && t.Format == "" {
			t.Format = "slack"
		}
		if t.Notify == nil {
			yes := true
			t.Notify = &yes
		}
		t.Timeout = orDuration(t.Timeout, Duration(10e9))
	}
}
