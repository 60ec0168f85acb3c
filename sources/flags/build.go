package flags

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/sources"
)

// base holds what every provider has: its configured identity and limits.
type base struct {
	name, typ, env    string
	interval, timeout time.Duration
	verify            *OFREP
}

func (b *base) Name() string            { return b.name }
func (b *base) Type() string            { return b.typ }
func (b *base) Env() string             { return b.env }
func (b *base) Interval() time.Duration { return b.interval }
func (b *base) Timeout() time.Duration  { return b.timeout }
func (b *base) Verifier() *OFREP        { return b.verify }

// Build makes the configured providers, in config order. cfg has been
// validated and defaulted by config.Parse.
func Build(cfg []config.FlagProvider) ([]Provider, error) {
	out := make([]Provider, 0, len(cfg))
	for i, c := range cfg {
		b := base{name: c.Name, typ: c.Provider, env: c.Environment, interval: c.Interval.D(), timeout: c.Timeout.D()}
		if b.name == "" {
			b.name = c.Provider
		}
		if c.Verify != nil {
			b.verify = NewOFREP(c.Verify.URL, c.Verify.Context, c.Verify.Deadline.D(), c.Verify.Timeout.D())
		}
		switch c.Provider {
		case TypeFile:
			out = append(out, NewFile(b, c.Path, c.OffVariant))
		case TypeUnleash:
			out = append(out, NewUnleash(b, c.URL, c.Project, secretFunc(c)))
		case TypeLaunchDarkly:
			out = append(out, NewLaunchDarkly(b, c.URL, c.Project, secretFunc(c)))
		default:
			return nil, fmt.Errorf("flags[%d]: unknown provider %q (file, unleash or launchdarkly)", i, c.Provider)
		}
	}
	return out, nil
}

// secretFunc reads the token at use time, so a rotated token is picked up
// and the value never sits in a struct that might be printed.
func secretFunc(c config.FlagProvider) func() (string, error) {
	env, file, name := c.TokenEnv, c.TokenFile, c.Name
	return func() (string, error) {
		tok, err := config.Secret(env, file)
		if err != nil {
			return "", fmt.Errorf("%s token: %w", name, err)
		}
		if tok == "" {
			return "", fmt.Errorf("%s token: set token_env or token_file", name)
		}
		return tok, nil
	}
}

// Poller adapts a provider to the sources scheduler: each poll lists its
// flags, so the Flags pane and `sitrep check` read through the same code
// as the kill switch. The snapshot Value is a []Flag.
func Poller(p Provider) sources.Poller { return poller{p} }

type poller struct{ p Provider }

func (w poller) ID() string                            { return "flags/" + w.p.Name() }
func (w poller) Kind() sources.Kind                    { return sources.KindFlags }
func (w poller) Interval() time.Duration               { return w.p.Interval() }
func (w poller) Timeout() time.Duration                { return w.p.Timeout() }
func (w poller) Poll(ctx context.Context) (any, error) { return w.p.List(ctx) }

// apiClient is the HTTP side shared by the Unleash and LaunchDarkly providers.
type apiClient struct {
	baseURL string
	token   func() (string, error)
	client  *http.Client
	// authPrefix goes before the token in the Authorization header.
	authPrefix string
	// hint is appended to 401/403 errors: where the token comes from.
	hint string
}

func newAPIClient(rawURL string, timeout time.Duration, token func() (string, error)) apiClient {
	return apiClient{baseURL: strings.TrimRight(rawURL, "/"), token: token, client: sources.HTTPClient(timeout)}
}
