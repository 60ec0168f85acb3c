package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// buildSitrep builds the module's main package into dir.
func buildSitrep(dir string) (string, error) {
	bin := filepath.Join(dir, "sitrep")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/sitrep-dev/sitrep").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build sitrep: %v\n%s", err, out)
	}
	return bin, nil
}

// buildFloor copies the floor program's source into dir (its home may be
// read-only) and builds it there; its module resolves its own deps.
func buildFloor(src, dir string) (string, error) {
	work := filepath.Join(dir, "floor-src")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return "", err
	}
	for _, name := range []string{"go.mod", "go.sum", "main.go"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return "", fmt.Errorf("read the floor program (set -floor to its directory, or -floor '' to skip it): %w", err)
		}
		if err := os.WriteFile(filepath.Join(work, name), b, 0o644); err != nil {
			return "", err
		}
	}
	bin := filepath.Join(dir, "bt-baseline")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the floor program from %s: %v\n%s", src, err, out)
	}
	return bin, nil
}

// termEnv is the environment of a program under test: an xterm, a fixed
// author, no SSH session inherited from whoever runs the bench.
func termEnv(extra ...string) []string {
	env := []string{"TERM=xterm-256color", "LANG=C.UTF-8", "USER=bench", "HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH")}
	return append(env, extra...)
}
