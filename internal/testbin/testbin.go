// Package testbin gives end-to-end tests the real sitrep binary: built once
// per test package by TestMain, and run the way a commander runs it, with
// its stdout, stderr and exit code.
package testbin

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Main builds sitrep into a temporary directory, stores its path in *bin,
// runs the tests and exits. When the environment variable helperEnv is
// "1", the process is a helper the tests re-executed (a journal writer)
// and nothing is built.
func Main(m *testing.M, helperEnv string, bin *string) {
	if helperEnv != "" && os.Getenv(helperEnv) == "1" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "sitrep-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*bin = filepath.Join(dir, "sitrep")
	if out, err := exec.Command("go", "build", "-o", *bin, "github.com/sitrep-dev/sitrep").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build sitrep: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Run runs bin with args and extra environment, as user "tester" outside
// SSH, and returns stdout, stderr and the exit code.
func Run(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "USER=tester", "SSH_CONNECTION="), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("run sitrep %v: %v", args, err)
	}
	return out.String(), errb.String(), 0
}
