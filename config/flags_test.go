package config

import (
	"strings"
	"testing"
)

func TestFlagsSectionValidation(t *testing.T) {
	t.Setenv("LD_TOKEN", "x")
	for _, tc := range []struct {
		name, yaml, want string // want: "" = valid
	}{
		{"file", "flags:\n  - {provider: file, path: /etc/flagd/flags.json, off_variant: off}\n", ""},
		{"file needs a path", "flags:\n  - {provider: file}\n", "t.yaml:2:5: flags[0].path: is required"},
		{"file has no token", "flags:\n  - {provider: file, path: f.json, token_env: T}\n", "t.yaml:2:47: flags[0].token_env: is not used by the file provider"},
		{"unleash needs a url", "flags:\n  - {provider: unleash, environment: production, token_env: LD_TOKEN}\n", "t.yaml:2:5: flags[0].url: is required"},
		{"launchdarkly url is optional", "flags:\n  - {provider: launchdarkly, project: web, environment: production, token_env: LD_TOKEN}\n", ""},
		{"launchdarkly needs a project", "flags:\n  - {provider: launchdarkly, environment: production, token_env: LD_TOKEN}\n", "flags[0].project: is required"},
		{"off_variant is for files", "flags:\n  - {provider: unleash, url: http://127.0.0.1:4242, environment: production, token_env: LD_TOKEN, off_variant: off}\n",
			"flags[0].off_variant: is only for the file provider"},
		{"two providers with one name", "flags:\n  - {provider: file, path: a.json}\n  - {provider: file, path: b.json}\n", `flags[1].name: two flag providers are called "file"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("t.yaml", []byte(tc.yaml))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range c.Flags {
					if f.Provider == "launchdarkly" && f.URL != "https://app.launchdarkly.com" {
						t.Errorf("launchdarkly url defaulted to %q", f.URL)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v; want %q", err, tc.want)
			}
		})
	}
}
