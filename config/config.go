// Package config loads and validates sitrep's YAML configuration. Every
// problem is reported with file:line:col and the field's path, all at once,
// before any terminal UI starts.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a Go duration written as a string ("2s", "500ms").
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// Config is the whole file. Sections that are absent are nil or empty, and
// the dashboard says how to configure them.
type Config struct {
	// File is where the config was read from ("" when none was found).
	File string `yaml:"-"`

	Sources      Sources         `yaml:"sources"`
	Prometheus   *Prometheus     `yaml:"prometheus"`
	Alertmanager *Alertmanager   `yaml:"alertmanager"`
	Metrics      []Metric        `yaml:"metrics"`
	Health       []Health        `yaml:"health"`
	Flags        []FlagProvider  `yaml:"flags"`
	Status       []StatusTarget  `yaml:"status"`
	Templates    StatusTemplates `yaml:"status_templates"`
	GitHub       *GitHub         `yaml:"github"`
}

// Sources holds limits shared by every poller.
type Sources struct {
	// MaxBody caps every response body read from outside, in bytes.
	MaxBody int64 `yaml:"max_body"`
	// Concurrency bounds how many requests run at once across all sources.
	Concurrency int `yaml:"concurrency"`
}

// Defaults for values the file leaves out.
const (
	DefaultMaxBody     = 10 << 20
	DefaultConcurrency = 32
	DefaultInterval    = Duration(10 * time.Second)
	DefaultTimeout     = Duration(2 * time.Second)
)

// Find returns the config file to read: the -c flag, $SITREP_CONFIG,
// ./sitrep.yaml, then $XDG_CONFIG_HOME/sitrep/config.yaml. explicit is true
// when the user named the file (so a missing file is an error); otherwise ""
// means none exists and sitrep runs with an empty config.
func Find(flagValue string) (path string, explicit bool) {
	if flagValue != "" {
		return flagValue, true
	}
	if p := os.Getenv("SITREP_CONFIG"); p != "" {
		return p, true
	}
	if _, err := os.Stat("sitrep.yaml"); err == nil {
		return "sitrep.yaml", false
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".config")
		}
	}
	if dir != "" {
		p := filepath.Join(dir, "sitrep", "config.yaml")
		if _, err := os.Stat(p); err == nil {
			return p, false
		}
	}
	return "", false
}

// Load finds and loads the config (see Find). With no file it returns an
// empty, valid config.
func Load(flagValue string) (*Config, error) {
	path, explicit := Find(flagValue)
	if path == "" {
		c := &Config{}
		c.applyDefaults()
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && explicit {
			return nil, fmt.Errorf("config file %s does not exist (check -c or $SITREP_CONFIG)", path)
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse decodes and validates config bytes; name is used in error messages.
func Parse(name string, data []byte) (*Config, error) {
	c := &Config{File: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, Errors{{File: name, Pos: Pos{line, 1}, Msg: "YAML syntax: " + m[2]}}
		}
		return nil, Errors{{File: name, Msg: "YAML syntax: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	d := &decoder{file: name, pos: map[string]Pos{}}
	if len(doc.Content) > 0 {
		d.decode(doc.Content[0], reflect.ValueOf(c).Elem(), "")
	}
	c.File = name
	if len(d.errs) == 0 {
		v := &validator{decoder: d}
		c.validate(v)
	}
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	c.applyDefaults()
	return c, nil
}

// validator reports semantic errors at the position of the value they
// concern (or of its closest parent present in the file).
type validator struct{ *decoder }

func (v *validator) errorf(path, format string, args ...any) {
	p := Pos{}
	for q := path; ; {
		if pp, ok := v.pos[q]; ok {
			p = pp
			break
		}
		i := strings.LastIndexAny(q, ".[")
		if i < 0 {
			break
		}
		q = q[:i]
	}
	v.decoder.errorf(path, p, format, args...)
}

// names catches a name used twice in one list (two metrics, two flag
// providers...): msg is the error, with %q for the name.
type names map[string]bool

func (n names) check(v *validator, path, name, msg string) {
	if n[name] {
		v.errorf(path, msg, name)
	}
	n[name] = true
}

// has reports whether path was written in the file.
func (v *validator) has(path string) bool { _, ok := v.pos[path]; return ok }

func (v *validator) httpURL(path, raw string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		v.errorf(path, "invalid URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		v.errorf(path, "URL %q must start with http:// or https://", raw)
	case u.Host == "":
		v.errorf(path, "URL %q has no host", raw)
	}
}

func (v *validator) required(path, val string) bool {
	if strings.TrimSpace(val) == "" {
		v.errorf(path, "is required")
		return false
	}
	return true
}

func (v *validator) oneOf(path, val string, allowed ...string) {
	if val == "" {
		return
	}
	for _, a := range allowed {
		if val == a {
			return
		}
	}
	v.errorf(path, "%q is not one of: %s", val, strings.Join(allowed, ", "))
}

func (v *validator) positive(path string, d Duration) {
	if v.has(path) && d <= 0 {
		v.errorf(path, "must be greater than zero")
	}
}

// timing checks one poller's interval and timeout: both positive, and the
// timeout shorter than the interval (else polls overlap and pile up).
func (v *validator) timing(path string, interval, timeout Duration) {
	v.positive(path+".interval", interval)
	v.positive(path+".timeout", timeout)
	iv, to := interval, timeout
	if iv == 0 {
		iv = DefaultInterval
	}
	if to == 0 {
		to = DefaultTimeout
	}
	if to > 0 && iv > 0 && to >= iv {
		v.errorf(path+".timeout", "timeout %s must be shorter than the interval %s", to, iv)
	}
}

// secret checks a *_env / *_file pair: at most one, and a file must not be
// readable by group or others.
func (v *validator) secret(path, envKey, envVal, fileKey, fileVal string) {
	if envVal != "" && fileVal != "" {
		v.errorf(join(path, fileKey), "set %s or %s, not both", envKey, fileKey)
		return
	}
	if fileVal == "" {
		return
	}
	st, err := os.Stat(fileVal)
	if err != nil {
		v.errorf(join(path, fileKey), "cannot read secret file: %v", err)
		return
	}
	if st.Mode().Perm()&0o077 != 0 {
		v.errorf(join(path, fileKey), "secret file %s has mode %04o; make it private with chmod 600", fileVal, st.Mode().Perm())
	}
}

func (c *Config) validate(v *validator) {
	if c.Sources.MaxBody < 0 {
		v.errorf("sources.max_body", "must not be negative")
	}
	if c.Sources.Concurrency < 0 {
		v.errorf("sources.concurrency", "must not be negative")
	}
	c.validateSources(v)
	c.validateFlags(v)
	c.validateStatus(v)
	c.validateGitHub(v)
}

func (c *Config) applyDefaults() {
	if c.Sources.MaxBody == 0 {
		c.Sources.MaxBody = DefaultMaxBody
	}
	if c.Sources.Concurrency == 0 {
		c.Sources.Concurrency = DefaultConcurrency
	}
	c.defaultSources()
	c.defaultFlags()
	c.defaultStatus()
	c.defaultGitHub()
}

// Secret reads a secret named by an environment variable or a file. It is
// resolved at use time, so a rotated token is picked up and the value never
// sits in the config struct (and so never in a log of it).
func Secret(envName, file string) (string, error) {
	switch {
	case envName != "":
		s := os.Getenv(envName)
		if s == "" {
			return "", fmt.Errorf("environment variable %s is empty or not set", envName)
		}
		return s, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read secret file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

func orDuration(d, def Duration) Duration {
	if d == 0 {
		return def
	}
	return d
}
