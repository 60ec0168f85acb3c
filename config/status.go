package config

import (
	"fmt"
	"io"
	"sort"
	"strings"
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

	// webhook. A Slack webhook URL is itself a secret: prefer url_env or
	// url_file, read at use time like a token.
	URL     string `yaml:"url"`
	URLEnv  string `yaml:"url_env"`
	URLFile string `yaml:"url_file"`
	Format  string `yaml:"format"` // slack (default: {"text": ...}) | full

	// file: a Markdown file the rendered update is appended to
	Path string `yaml:"path"`

	TokenEnv  string   `yaml:"token_env"`
	TokenFile string   `yaml:"token_file"`
	Timeout   Duration `yaml:"timeout"`
}

// StatusTemplates are Go text/templates for the first draft of an update,
// one per state (investigating, identified, monitoring, resolved). They are
// executed with StatusFields.
type StatusTemplates map[string]string

// StatusFields is what a status template can use. It lives here, not with
// the verbs, so that a template naming a field that does not exist is a
// config error at start-up with its line, not a surprise mid-incident.
type StatusFields struct {
	ID       string // incident id
	Title    string // incident title (internal: think before showing it to customers)
	Severity int
	Started  string // "2006-01-02 15:04 UTC": when impact began
	Elapsed  string // since Started, e.g. "1h 05m"
	// Components lists the affected components and their status, e.g.
	// "API (partial outage), Web (degraded performance)"; "" when none.
	Components string
	LastNote   string // the latest note on the timeline
	State      string // the state the update is for
}

var statusStates = []string{"investigating", "identified", "monitoring", "resolved"}

func (c *Config) validateStatus(v *validator) {
	seen := names{}
	for i, t := range c.Status {
		p := fmt.Sprintf("status[%d]", i)
		seen.check(v, p+".name", orString(t.Name, t.Provider), "two status targets are called %q; give each a distinct name")
		switch t.Provider {
		case "":
			v.errorf(p+".provider", "is required: statuspage, github, webhook or file")
		case "statuspage":
			v.required(p+".page", t.Page)
			if t.TokenEnv == "" && t.TokenFile == "" {
				v.errorf(p+".token_env", "is required (or token_file): the Statuspage API needs a key")
			}
			v.httpURL(p+".base_url", t.BaseURL)
			for _, comp := range sortedKeys(t.Components) {
				if strings.TrimSpace(comp) == "" {
					v.errorf(p+".components", "a component name is empty")
				}
				if strings.TrimSpace(t.Components[comp]) == "" {
					v.errorf(p+".components."+comp, "needs the Statuspage component id (Components → the component → its id in the URL)")
				}
			}
		case "github":
			if t.Repo == "" && c.GitHub == nil {
				v.errorf(p+".repo", "is required (owner/name), or configure github:")
			}
			if t.Repo != "" && !repoRE.MatchString(t.Repo) {
				v.errorf(p+".repo", "%q is not owner/name", t.Repo)
			}
			if t.TokenEnv == "" && t.TokenFile == "" && (c.GitHub == nil || (c.GitHub.TokenEnv == "" && c.GitHub.TokenFile == "")) {
				v.errorf(p+".token_env", "is required (or token_file, or github.token_env): creating the tracking issue needs a token")
			}
		case "webhook":
			switch n := countSet(t.URL, t.URLEnv, t.URLFile); {
			case n == 0:
				v.errorf(p+".url", "is required (or url_env / url_file, better for a URL that embeds a secret)")
			case n > 1:
				v.errorf(p+".url", "set one of url, url_env and url_file")
			}
			v.httpURL(p+".url", t.URL)
			v.secret(p, "url_env", t.URLEnv, "url_file", t.URLFile)
			v.oneOf(p+".format", t.Format, "slack", "full")
		case "file":
			v.required(p+".path", t.Path)
		default:
			v.errorf(p+".provider", "%q is not one of: statuspage, github, webhook, file", t.Provider)
		}
		if t.Provider != "webhook" && (t.URL != "" || t.URLEnv != "" || t.URLFile != "") {
			v.errorf(p+".url", "only webhook targets have a url")
		}
		if t.Provider != "statuspage" && len(t.Components) > 0 {
			v.errorf(p+".components", "only statuspage targets map components to ids")
		}
		v.secret(p, "token_env", t.TokenEnv, "token_file", t.TokenFile)
		v.positive(p+".timeout", t.Timeout)
	}
	for _, state := range sortedKeys(c.Templates) {
		p := "status_templates." + state
		v.oneOf(p, state, statusStates...)
		if err := CheckStatusTemplate(state, c.Templates[state]); err != nil {
			v.errorf(p, "%v", err)
		}
	}
}

// CheckStatusTemplate parses text and runs it once on empty fields, so an
// unknown field ({{.Titel}}) is caught, not only bad syntax.
func CheckStatusTemplate(state, text string) error {
	t, err := template.New(state).Option("missingkey=error").Parse(text)
	if err != nil {
		return fmt.Errorf("invalid template: %v", err)
	}
	if err := t.Execute(io.Discard, StatusFields{}); err != nil {
		return fmt.Errorf("template fails on an incident: %v (fields: ID, Title, Severity, Started, Elapsed, Components, LastNote, State)", err)
	}
	return nil
}

func countSet(vals ...string) int {
	n := 0
	for _, v := range vals {
		if v != "" {
			n++
		}
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
		if t.BaseURL != "" && !strings.HasSuffix(t.BaseURL, "/") {
			t.BaseURL += "/"
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
