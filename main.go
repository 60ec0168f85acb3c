// Command sitrep is a terminal incident-command dashboard and journal.
package main

import (
	"os"

	"github.com/sitrep-dev/sitrep/internal/app"
	"github.com/sitrep-dev/sitrep/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.NewEnv(), app.Verbs()...))
}
