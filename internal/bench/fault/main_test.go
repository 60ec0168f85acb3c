package fault

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// sitrepBin is the binary under test, built once for the package.
var sitrepBin string

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(m.Run()) // a writer process needs no binary
	}
	dir, err := os.MkdirTemp("", "sitrep-fault-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sitrepBin = filepath.Join(dir, "sitrep")
	if out, err := exec.Command("go", "build", "-o", sitrepBin, "github.com/sitrep-dev/sitrep").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build sitrep: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sitrep runs the binary on data and returns stdout, stderr and the exit code.
func sitrep(t *testing.T, data string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(sitrepBin, append([]string{"--data", data}, args...)...)
	cmd.Env = append(os.Environ(), "USER=tester", "SSH_CONNECTION=")
	out, errb := new(bytes.Buffer), new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = out, errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run sitrep %v: %v", args, err)
	}
	return out.String(), errb.String(), 0
}
