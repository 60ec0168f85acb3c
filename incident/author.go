package incident

import (
	"os"
	"os/user"
	"strings"
)

// Author names who is acting: `$USER@host`, plus ` via ssh from <ip>` when
// the session came in over SSH, so a journal shared by several commanders
// on one bastion still tells them apart.
func Author() string {
	name := os.Getenv("USER")
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	if name == "" {
		name = "unknown"
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	a := name + "@" + host
	if conn := strings.Fields(os.Getenv("SSH_CONNECTION")); len(conn) > 0 {
		a += " via ssh from " + conn[0]
	}
	return a
}
