package gh

import (
	"fmt"
	"net/http"

	"github.com/sitrep-dev/sitrep/config"
)

// FromConfig builds the client the github: section describes. The token
// is read from token_env or token_file before every request (so a rotated
// token is picked up, and an unset one is a one-line error of each call,
// not of start-up); with neither configured, requests are anonymous, which
// GitHub allows for public repositories at 60 requests per hour. Each
// request is bounded by github.timeout. httpClient nil means the default.
func FromConfig(g *config.GitHub, httpClient *http.Client, opts ...Option) (*Client, error) {
	if g == nil {
		return nil, fmt.Errorf("no github: section in the config (add repos and token_env)")
	}
	env, file := g.TokenEnv, g.TokenFile
	opts = append([]Option{
		WithTokenSource(TokenSource(g)),
		WithTokenFunc(func() (string, error) { return config.Secret(env, file) }),
		WithRequestTimeout(g.Timeout.D()),
	}, opts...)
	return New(g.BaseURL, "", httpClient, opts...)
}

// TokenSource names where g's token comes from, for error messages.
func TokenSource(g *config.GitHub) string {
	switch {
	case g.TokenEnv != "":
		return "$" + g.TokenEnv
	case g.TokenFile != "":
		return "github.token_file " + g.TokenFile
	}
	return "github.token_env (no token is configured, so requests are anonymous)"
}
