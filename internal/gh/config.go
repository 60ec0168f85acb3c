package gh

import (
	"fmt"
	"net/http"

	"github.com/sitrep-dev/sitrep/config"
)

// FromConfig builds the client the github: section describes. The token is
// read now from token_env or token_file (none configured means anonymous,
// which GitHub allows for public repositories at 60 requests per hour).
// httpClient nil means the default client.
func FromConfig(g *config.GitHub, httpClient *http.Client, opts ...Option) (*Client, error) {
	if g == nil {
		return nil, fmt.Errorf("no github: section in the config (add repos and token_env)")
	}
	token, err := config.Secret(g.TokenEnv, g.TokenFile)
	if err != nil {
		return nil, fmt.Errorf("github token: %v", err)
	}
	opts = append([]Option{WithTokenSource(TokenSource(g)), WithRequestTimeout(g.Timeout.D())}, opts...)
	return New(g.BaseURL, token, httpClient, opts...)
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
