package gh

import (
	"fmt"
	"testing"
)

func TestETagCacheEvictsLeastRecentlyUsed(t *testing.T) {
	for _, tc := range []struct {
		name             string
		entries, bytes   int
		puts             []int // body sizes for keys k0, k1, ...
		touch            string
		want, wantAbsent []string
	}{
		{name: "over the entry count drops the oldest", entries: 2, bytes: 100, puts: []int{1, 1, 1}, want: []string{"k1", "k2"}, wantAbsent: []string{"k0"}},
		{name: "a touched entry survives", entries: 2, bytes: 100, puts: []int{1, 1}, touch: "k0", want: []string{"k0"}, wantAbsent: []string{"k1"}},
		{name: "over the byte budget drops until it fits", entries: 10, bytes: 10, puts: []int{4, 4, 4}, want: []string{"k1", "k2"}, wantAbsent: []string{"k0"}},
		{name: "a body over the whole budget is not cached", entries: 10, bytes: 10, puts: []int{11}, wantAbsent: []string{"k0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newETagCache(tc.entries, tc.bytes)
			for i, n := range tc.puts {
				if tc.touch != "" && i == len(tc.puts)-1 {
					c.get(tc.touch)
				}
				c.put(fmt.Sprintf("k%d", i), &cached{etag: "e", body: make([]byte, n)})
			}
			if tc.touch != "" {
				c.get(tc.touch)
				c.put("k2", &cached{body: make([]byte, 1)})
			}
			for _, k := range tc.want {
				if c.get(k) == nil {
					t.Errorf("%s was evicted", k)
				}
			}
			for _, k := range tc.wantAbsent {
				if c.get(k) != nil {
					t.Errorf("%s is still cached", k)
				}
			}
			if c.bytes > tc.bytes || len(c.items) > tc.entries {
				t.Errorf("cache holds %d entries, %d bytes; over its bounds", len(c.items), c.bytes)
			}
		})
	}
}
