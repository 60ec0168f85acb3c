package flags

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// newFileProvider copies src (a testdata file, or literal JSON when it
// starts with '{') into a temp dir and returns a provider for the copy.
func newFileProvider(t *testing.T, src string) (*File, string) {
	t.Helper()
	data := []byte(src)
	if !strings.HasPrefix(src, "{") {
		var err error
		if data, err = os.ReadFile(src); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "flags.json")
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
	return NewFile(base{name: "file", interval: time.Second, timeout: time.Second}, path, ""), path
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// onlyDiff checks that a and b are equal except that a[i:i+len(from)] ==
// from became to, at one place: nothing else in the file moved.
func onlyDiff(t *testing.T, a, b []byte, from, to string) {
	t.Helper()
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	gotFrom, gotTo := string(a[p:len(a)-s]), string(b[p:len(b)-s])
	// The common prefix/suffix may swallow shared characters of from/to
	// ("on" → "off" differs only in "n" → "ff"); compare in context.
	if !strings.Contains(from, gotFrom) || !strings.Contains(to, gotTo) {
		t.Errorf("the edit changed %q into %q; want only %q → %q", gotFrom, gotTo, from, to)
	}
	ctxA := string(a[max(0, p-len(from)):min(len(a), p+len(from)+1)])
	if !strings.Contains(ctxA, from) {
		t.Errorf("the change is not at %q (context %q)", from, ctxA)
	}
}

func apply(t *testing.T, p Provider, c Change) Plan {
	t.Helper()
	ctx := context.Background()
	plan, err := p.Plan(ctx, c)
	if err != nil {
		t.Fatalf("plan %+v: %v", c, err)
	}
	if _, err := p.Apply(ctx, plan); err != nil {
		t.Fatalf("apply %+v: %v", c, err)
	}
	return plan
}

func TestFileKillChangesOnlyTheDefaultVariantBytes(t *testing.T) {
	p, path := newFileProvider(t, "testdata/golden/flags.json")
	orig := readFile(t, path)
	plan := apply(t, p, Change{Key: "async-prediction-updates"})
	got := readFile(t, path)
	golden(t, "kill-async.json", got)
	onlyDiff(t, orig, got, `"defaultVariant": "on"`, `"defaultVariant": "off"`)
	if plan.Before.State != "on (variant on, targeting)" || plan.After.State != "off (variant off, targeting)" {
		t.Errorf("states %q → %q", plan.Before.State, plan.After.State)
	}
	if len(plan.Effects) != 2 || !strings.Contains(plan.Effects[1], "targeting kept") {
		t.Errorf("effects %q: want the defaultVariant change and a targeting-kept warning", plan.Effects)
	}
	f, err := p.Get(context.Background(), "async-prediction-updates")
	if err != nil || f.On || f.Variant != "off" || f.Value != false {
		t.Errorf("read back %+v, %v; want off variant off value false", f, err)
	}
}

func TestFileRestoreAfterKillGivesBackTheOriginalBytes(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		drop      bool
		golden    string
	}{
		{"kill keeping targeting", "async-prediction-updates", false, ""},
		{"targeting in the middle dropped", "async-prediction-updates", true, "kill-drop-async.json"},
		{"targeting first dropped", "new-checkout", true, "kill-drop-checkout.json"},
		{"string variants, off by name", "banner-color", false, "kill-banner.json"},
		{"disabled flag turned on", "legacy-export", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, path := newFileProvider(t, "testdata/golden/flags.json")
			orig := readFile(t, path)
			on := tc.key == "legacy-export"
			plan := apply(t, p, Change{Key: tc.key, On: on, DropTargeting: tc.drop})
			if plan.NoOp {
				t.Fatal("plan is a no-op")
			}
			killed := readFile(t, path)
			if tc.golden != "" {
				golden(t, tc.golden, killed)
			}
			if _, err := parseFlagd(killed); err != nil {
				t.Fatalf("edited file does not parse: %v", err)
			}
			apply(t, p, Change{Key: tc.key, Restore: roundTripUndo(t, plan.Undo)})
			if got := readFile(t, path); !bytes.Equal(got, orig) {
				t.Errorf("restore did not give back the original:\n%s", got)
			}
		})
	}
}

func TestFileDropTargetingKeepsItInTheUndo(t *testing.T) {
	p, _ := newFileProvider(t, "testdata/golden/flags.json")
	plan, err := p.Plan(context.Background(), Change{Key: "new-checkout", DropTargeting: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Undo["targeting"]; got != `{"fractional":[["on",50],["off",50]]}` {
		t.Errorf("undo targeting = %v", got)
	}
	if plan.After.Targeting || !plan.Before.Targeting {
		t.Errorf("targeting before/after = %v/%v", plan.Before.Targeting, plan.After.Targeting)
	}
	if !plan.NoOp && len(plan.Effects) != 1 || !strings.Contains(plan.Effects[0], "targeting removed") {
		t.Errorf("effects %q: want only the targeting removal (defaultVariant is already off)", plan.Effects)
	}
}

func TestFileRefusesWhenTheFileChangedSincePreview(t *testing.T) {
	p, path := newFileProvider(t, "testdata/golden/flags.json")
	plan, err := p.Plan(context.Background(), Change{Key: "async-prediction-updates"})
	if err != nil {
		t.Fatal(err)
	}
	// A colleague saves the file in their editor meanwhile.
	edited := bytes.Replace(readFile(t, path), []byte(`"ticket": "INC-1"`), []byte(`"ticket": "INC-2"`), 1)
	if err := os.WriteFile(path, edited, 0o640); err != nil {
		t.Fatal(err)
	}
	_, err = p.Apply(context.Background(), plan)
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("apply after a concurrent edit: %v; want a ConflictError", err)
	}
	if !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("error %q does not say nothing was written", err)
	}
	if got := readFile(t, path); !bytes.Equal(got, edited) {
		t.Error("the colleague's edit was overwritten")
	}
}

func TestFileCrashBeforeRenameLeavesTheOldFile(t *testing.T) {
	p, path := newFileProvider(t, "testdata/golden/flags.json")
	orig := readFile(t, path)
	// Simulate dying after the temp file is written and synced but before
	// the rename: the first half of fsutil.WriteFileAtomic, then failure.
	p.write = func(target string, data []byte, perm os.FileMode) error {
		tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*")
		if err != nil {
			return err
		}
		if _, err := tmp.Write(data); err != nil {
			return err
		}
		if err := tmp.Sync(); err != nil {
			return err
		}
		tmp.Close()
		return errors.New("killed before rename")
	}
	plan, err := p.Plan(context.Background(), Change{Key: "async-prediction-updates"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Apply(context.Background(), plan)
	if err == nil || !strings.Contains(err.Error(), "old file is intact") {
		t.Fatalf("apply error = %v; want the write failure saying the old file is intact", err)
	}
	if got := readFile(t, path); !bytes.Equal(got, orig) {
		t.Error("the flag file changed although the rename never happened")
	}
	f, err := p.Get(context.Background(), "async-prediction-updates")
	if err != nil || !f.On {
		t.Errorf("after the crash the flag reads %+v, %v; want it still on", f, err)
	}
}

func TestFileKeepsModeAndSymlink(t *testing.T) {
	p, path := newFileProvider(t, "testdata/golden/flags.json")
	link := filepath.Join(filepath.Dir(path), "served.json")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	p.path = link
	apply(t, p, Change{Key: "async-prediction-updates"})
	st, err := os.Lstat(link)
	if err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced by a file (%v)", err)
	}
	st, err = os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("mode after write = %v, %v; want 0640 kept", st.Mode().Perm(), err)
	}
}

func TestFilePlans(t *testing.T) {
	for _, tc := range []struct {
		name       string
		offVariant string
		change     Change
		wantErr    string // substring; "" = no error
		wantNoOp   bool
		wantAfter  string
	}{
		{name: "unknown flag", change: Change{Key: "nope"}, wantErr: `flag not found: no flag "nope"`},
		{name: "disabled flag is already off", change: Change{Key: "legacy-export"}, wantNoOp: true},
		{name: "already off without targeting to drop", change: Change{Key: "new-checkout"}, wantNoOp: true},
		{name: "configured off variant", offVariant: "no", change: Change{Key: "legacy-export", On: true}, wantAfter: "on (variant yes)"},
		{name: "configured off variant missing", offVariant: "nope", change: Change{Key: "banner-color"},
			wantErr: `flag "banner-color" has no variant "nope" (configured off_variant); its variants are "red", "off"`},
		{name: "turn on a disabled flag", change: Change{Key: "legacy-export", On: true}, wantAfter: "on (variant yes)"},
		{name: "on when on", change: Change{Key: "async-prediction-updates", On: true}, wantNoOp: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newFileProvider(t, "testdata/golden/flags.json")
			p.offVariant = tc.offVariant
			plan, err := p.Plan(context.Background(), tc.change)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want %q", err, tc.wantErr)
				}
				if strings.Contains(tc.wantErr, "not found") && !errors.Is(err, ErrNotFound) {
					t.Error("error does not wrap ErrNotFound")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if plan.NoOp != tc.wantNoOp {
				t.Errorf("NoOp = %v", plan.NoOp)
			}
			if tc.wantAfter != "" && plan.After.State != tc.wantAfter {
				t.Errorf("after = %q; want %q", plan.After.State, tc.wantAfter)
			}
		})
	}
}

func TestFileWithoutOffVariantNamesTheVariants(t *testing.T) {
	p, _ := newFileProvider(t, `{"flags": {"color": {"state": "ENABLED", "variants": {"red": "r", "blue": "b"}, "defaultVariant": "red"}}}`)
	_, err := p.Plan(context.Background(), Change{Key: "color"})
	want := `flag "color" has no off variant (one whose value is false, or one named "off"); its variants are "red", "blue"; set off_variant in the config`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	f, err := p.Get(context.Background(), "color")
	if err != nil || !f.On || f.State != "on (variant red)" {
		t.Errorf("a flag without an off variant reads %+v, %v; want on", f, err)
	}
}

func TestFileMalformedReportsLineAndColumn(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"trailing comma", "{\n  \"flags\": {\n    \"a\": 1,\n  }\n}", ":4:3: unexpected '}', expected a quoted key"},
		{"missing colon", `{"flags" {}}`, `:1:10: unexpected '{', expected ':' after key "flags"`},
		{"unterminated", `{"flags": {"a": "x`, ":1:19: unterminated string"},
		{"not flagd", `{"feature": 1}`, `:1:1: no "flags" object: not a flagd flag-definition file`},
		{"bad state", "{\"flags\": {\"a\": {\n \"state\": \"ON\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"}}}", `:2:11: flag "a": "state" must be "ENABLED" or "DISABLED"`},
		{"default not a variant", `{"flags": {"a": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "of"}}}`, `:1:82: flag "a": defaultVariant "of" is not one of its variants ("on")`},
		{"duplicate key", "{\"flags\": {\"a\": {}, \n\"a\": {}}}", `:2:1: key "a" appears twice in the same object`},
		{"column counts characters", `{"é": "ü" x}`, ":1:11: unexpected 'x', expected ',' or '}'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, path := newFileProvider(t, tc.data)
			_, err := p.List(context.Background())
			if err == nil || err.Error() != "flag file "+path+tc.want {
				t.Errorf("err = %v\nwant flag file %s%s", err, path, tc.want)
			}
		})
	}
}

func TestFileSanitizesKeysAndVariants(t *testing.T) {
	p, _ := newFileProvider(t, `{"flags": {"evil\u001b]0;pwned\u0007key": {"state": "ENABLED", "variants": {"o\u001b[2Jn": true, "off": false}, "defaultVariant": "o\u001b[2Jn"}}}`)
	fs, err := p.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fs[0].Key != "evilkey" || fs[0].Variant != "on" || strings.ContainsRune(fs[0].State, 0x1b) {
		t.Errorf("flag = %+v; want escape sequences removed", fs[0])
	}
}

// roundTripUndo passes an undo record through JSON as the journal does.
func roundTripUndo(t *testing.T, u map[string]any) map[string]any {
	t.Helper()
	return jsonRoundTrip(t, u)
}

func TestFileTwoSessionsApplyingTheSamePreviewOneWins(t *testing.T) {
	for i := 0; i < 20; i++ {
		p, _ := newFileProvider(t, "testdata/golden/flags.json")
		plan, err := p.Plan(context.Background(), Change{Key: "async-prediction-updates"})
		if err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		for range 2 {
			go func() { _, err := p.Apply(context.Background(), plan); errs <- err }()
		}
		var ok, conflicts int
		for range 2 {
			var ce *ConflictError
			switch err := <-errs; {
			case err == nil:
				ok++
			case errors.As(err, &ce):
				conflicts++
			default:
				t.Fatal(err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("run %d: %d applied, %d refused; want exactly one of each", i, ok, conflicts)
		}
	}
}
