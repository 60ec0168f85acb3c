package app

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/cli"
	"github.com/sitrep-dev/sitrep/internal/demo"
)

var demoVerb = cli.Extra{
	Name: "demo", Args: "[--speed N]", Summary: "run the built-in demo incident on 127.0.0.1 and open the dashboard on it",
	Setup: func(fs *flag.FlagSet) cli.RunFunc {
		speed := fs.Float64("speed", 1, "run the story N times faster (1-100)")
		return func(e *cli.Env, g cli.Globals, args []string) error {
			if *speed < 1 || *speed > demo.MaxSpeed {
				return fmt.Errorf("--speed %g is out of range: use 1 to %d", *speed, demo.MaxSpeed)
			}
			// The demo never touches the commander's real data unless
			// asked to with --data: it gets a fresh directory.
			data := g.Data
			if data == "" && os.Getenv("SITREP_DATA") == "" {
				dir, err := os.MkdirTemp("", "sitrep-demo-")
				if err != nil {
					return err
				}
				data = dir
			} else if data == "" {
				data = os.Getenv("SITREP_DATA")
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			world, err := demo.Start(ctx, demo.Options{Speed: *speed})
			if err != nil {
				return fmt.Errorf("start the demo world: %w", err)
			}
			defer world.Close()
			store := incident.Store{Dir: data}
			j, _, err := store.Create("Demo: orders API slow, DB connection pool saturated", 2, g.AuthorName(), time.Time{})
			if err != nil {
				return err
			}
			defer j.Close()
			// The recorder's one-minute hysteresis runs on the story's clock.
			gap := time.Duration(float64(time.Minute) / *speed)
			err = Run(ctx, Options{Config: world.Config(), Journal: j, Author: g.AuthorName(), RecorderGap: gap})
			fmt.Fprintf(e.Stderr, "demo journal: %s\nexport it with: sitrep --data %s export\n", j.Path(), data)
			return err
		}
	},
}
