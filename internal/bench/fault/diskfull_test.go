package fault

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sitrep-dev/sitrep/incident"
)

// mountTiny mounts a 64 KiB tmpfs, a real filesystem that fills up, and
// unmounts it at the end. It skips where mounting is not permitted.
func mountTiny(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a 64 KiB tmpfs on %s (%v: %s): run as root where mount is permitted to test a full disk", dir, err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file until the filesystem refuses with ENOSPC.
func fill(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 512)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v, want ENOSPC", dir, err)
			}
			return
		}
	}
}

// TestFaultDiskFullAppendFailsCleanly fills a real filesystem and appends
// with `sitrep log`: it must fail with one clear line on stderr and exit
// 1, and leave the journal byte for byte as it was (no partial line);
// once space is freed, appending works and the chain verifies.
func TestFaultDiskFullAppendFailsCleanly(t *testing.T) {
	data := mountTiny(t)
	if _, stderr, code := sitrep(t, data, "open", "--sev", "2", "Checkout 5xx"); code != 0 {
		t.Fatalf("open on the tmpfs: exit %d: %s", code, stderr)
	}
	j, err := (incident.Store{Dir: data}).OpenCurrent("")
	if err != nil {
		t.Fatal(err)
	}
	path := j.Path()
	j.Close()
	fill(t, data)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Longer than a page, so the write needs a block the disk no longer has
	// even though the journal's last page has some room: part of it may
	// land before ENOSPC, which is the partial line that must not remain.
	text := "pool exhausted on primary; " + strings.Repeat("failover notes ", 400)
	for _, tc := range []struct{ name, text string }{{"line larger than a page", text}, {"short line", "db failover started"}} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := sitrep(t, data, "log", tc.text)
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if code == 0 {
				// A short line can fit in the journal's last page; then it
				// must be a whole, verified entry.
				if tc.name != "short line" {
					t.Fatalf("log on a full disk succeeded (stdout %q)", stdout)
				}
				if _, stderr, code := sitrep(t, data, "verify"); code != 0 {
					t.Fatalf("append that fit in the last page broke the chain: %s", stderr)
				}
				before = after
				t.Logf("short line fit in the journal's last page (seq %s)", strings.TrimSpace(stdout))
				return
			}
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			msg := strings.TrimSuffix(stderr, "\n")
			if msg == "" || strings.Contains(msg, "\n") {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			if !strings.Contains(strings.ToLower(msg), "space") {
				t.Errorf("error does not say the disk is full: %q", msg)
			}
			if !bytes.Equal(before, after) {
				t.Errorf("journal changed by a failed append: %d bytes before, %d after; tail %q", len(before), len(after), tail(after))
			}
			t.Logf("stderr: %s", msg)
		})
	}
	if err := os.Remove(filepath.Join(data, "filler")); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := sitrep(t, data, "log", "space freed; logging again"); code != 0 {
		t.Fatalf("log after freeing space: exit %d: %s", code, stderr)
	}
	if _, stderr, code := sitrep(t, data, "verify"); code != 0 {
		t.Fatalf("verify after the full disk: exit %d: %s", code, stderr)
	}
}

func tail(b []byte) []byte {
	return b[max(0, len(b)-120):]
}
