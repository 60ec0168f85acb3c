package config

import "fmt"

// FlagProvider is one feature-flag backend (`flags:` is a list).
type FlagProvider struct {
	Provider string `yaml:"provider"` // file | unleash | launchdarkly
	Name     string `yaml:"name"`     // tells providers apart; default: the provider type

	// file: a flagd flag-definition JSON file.
	Path       string `yaml:"path"`
	OffVariant string `yaml:"off_variant"` // default: the variant whose value is false, else "off"

	// unleash / launchdarkly (url defaults to https://app.launchdarkly.com)
	URL         string `yaml:"url"`
	Project     string `yaml:"project"`
	Environment string `yaml:"environment"`
	TokenEnv    string `yaml:"token_env"`
	TokenFile   string `yaml:"token_file"`

	Timeout  Duration `yaml:"timeout"`
	Interval Duration `yaml:"interval"`

	// Verify, when set, is an OFREP endpoint polled after a change to see
	// that clients get the new value.
	Verify *FlagVerify `yaml:"verify"`
}

// FlagVerify is an OFREP (OpenFeature Remote Evaluation Protocol) endpoint.
type FlagVerify struct {
	URL      string            `yaml:"url"`
	Context  map[string]string `yaml:"context"`  // evaluation context sent with each request
	Deadline Duration          `yaml:"deadline"` // how long to wait for the new value (default 30s)
	Timeout  Duration          `yaml:"timeout"`
}

func (c *Config) validateFlags(v *validator) {
	seen := names{}
	for i, f := range c.Flags {
		p := fmt.Sprintf("flags[%d]", i)
		seen.check(v, p+".name", orString(f.Name, f.Provider), "two flag providers are called %q; give each a distinct name")
		switch f.Provider {
		case "":
			v.errorf(p+".provider", "is required: file, unleash or launchdarkly")
		case "file":
			v.required(p+".path", f.Path)
			for _, kv := range [][2]string{{"url", f.URL}, {"project", f.Project}, {"token_env", f.TokenEnv}, {"token_file", f.TokenFile}} {
				if kv[1] != "" {
					v.errorf(p+"."+kv[0], "is not used by the file provider (it edits the flag file at path)")
				}
			}
		case "unleash", "launchdarkly":
			// LaunchDarkly has one public API; Unleash is always self-hosted
			// or a tenant URL.
			if f.Provider == "unleash" || f.URL != "" {
				if v.required(p+".url", f.URL) {
					v.httpURL(p+".url", f.URL)
				}
			}
			if f.Provider == "launchdarkly" {
				v.required(p+".project", f.Project)
			}
			v.required(p+".environment", f.Environment)
			if f.TokenEnv == "" && f.TokenFile == "" {
				v.errorf(p+".token_env", "is required (or token_file): the %s API needs a token", f.Provider)
			}
			v.secret(p, "token_env", f.TokenEnv, "token_file", f.TokenFile)
			for _, kv := range [][2]string{{"path", f.Path}, {"off_variant", f.OffVariant}} {
				if kv[1] != "" {
					v.errorf(p+"."+kv[0], "is only for the file provider; %s flags are switched off per environment", f.Provider)
				}
			}
		default:
			v.errorf(p+".provider", "%q is not one of: file, unleash, launchdarkly", f.Provider)
		}
		if f.Verify != nil {
			if v.required(p+".verify.url", f.Verify.URL) {
				v.httpURL(p+".verify.url", f.Verify.URL)
			}
			v.positive(p+".verify.deadline", f.Verify.Deadline)
			v.positive(p+".verify.timeout", f.Verify.Timeout)
		}
		v.timing(p, f.Interval, f.Timeout)
	}
}

func (c *Config) defaultFlags() {
	for i := range c.Flags {
		f := &c.Flags[i]
		if f.Name == "" {
			f.Name = f.Provider
		}
		if f.Provider == "unleash" && f.Project == "" {
			f.Project = "default"
		}
		if f.Provider == "launchdarkly" && f.URL == "" {
			f.URL = "https://app.launchdarkly.com"
		}
		f.Interval = orDuration(f.Interval, DefaultInterval)
		f.Timeout = orDuration(f.Timeout, Duration(5e9))
		if f.Verify != nil {
			f.Verify.Deadline = orDuration(f.Verify.Deadline, Duration(30e9))
			f.Verify.Timeout = orDuration(f.Verify.Timeout, DefaultTimeout)
		}
	}
}
