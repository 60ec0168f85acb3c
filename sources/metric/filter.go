package metric

import (
	"bytes"
	"strings"
)

// familyLines keeps only the lines of data that can belong to the
// families named in names (sample lines, and their # TYPE / # HELP
// comments), so a scrape of a large endpoint parses a few lines instead of
// megabytes. Lines the filter cannot attribute (UTF-8 quoted names, which
// start with '{') are kept for the parser to judge.
func familyLines(data []byte, names []string) []byte {
	want := make(map[string]bool, 4*len(names))
	for _, n := range names {
		want[n] = true
		for _, s := range []string{"_bucket", "_sum", "_count"} {
			want[n+s] = true
		}
	}
	out := make([]byte, 0, 4096)
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if keepLine(line, want) {
			out = append(out, line...)
		}
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

func keepLine(line []byte, want map[string]bool) bool {
	t := bytes.TrimLeft(line, " \t")
	if len(t) == 0 {
		return false
	}
	if t[0] == '#' {
		// "# TYPE name ..." or "# HELP name ...": keep for our families.
		f := bytes.Fields(t[1:])
		if len(f) >= 2 && (string(f[0]) == "TYPE" || string(f[0]) == "HELP") {
			return want[string(f[1])]
		}
		return false
	}
	if t[0] == '{' {
		return true
	}
	end := bytes.IndexAny(t, "{ \t\r\n")
	if end < 0 {
		end = len(t)
	}
	return want[string(t[:end])]
}

// familyNames are the families a selector may be answered from: its name
// and, for name_count / name_sum / name_bucket, the distribution's name.
func familyNames(name string) []string {
	out := []string{name}
	for _, s := range []string{"_count", "_sum", "_bucket"} {
		if base, ok := strings.CutSuffix(name, s); ok {
			out = append(out, base)
		}
	}
	return out
}
