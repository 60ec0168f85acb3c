package fault

import (
	"testing"

	"github.com/sitrep-dev/sitrep/internal/testbin"
)

// sitrepBin is the binary under test, built once for the package.
var sitrepBin string

func TestMain(m *testing.M) { testbin.Main(m, helperEnv, &sitrepBin) }

// sitrep runs the binary on data and returns stdout, stderr and the exit code.
func sitrep(t *testing.T, data string, args ...string) (string, string, int) {
	t.Helper()
	return testbin.Run(t, sitrepBin, nil, append([]string{"--data", data}, args...)...)
}
