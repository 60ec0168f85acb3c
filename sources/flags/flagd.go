package flags

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// flagdDoc is a parsed flagd flag-definition file
// ({"flags": {"KEY": {"state", "variants", "defaultVariant", "targeting"}}}).
type flagdDoc struct {
	data  []byte
	flags []flagdFlag // in file order
}

type flagdFlag struct {
	key      string
	obj      *jnode
	state    string // ENABLED | DISABLED
	stateN   *jnode
	variants []flagdVariant
	dv       *jnode // defaultVariant's value (string or null)
	dvName   string
	target   *jnode // targeting, nil when absent
}

type flagdVariant struct {
	name  string
	value any // decoded JSON
}

// parseFlagd parses and checks a flag file. Errors carry line:col.
func parseFlagd(data []byte) (*flagdDoc, error) {
	root, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	at := func(n *jnode, format string, args ...any) error {
		line, col := position(data, n.start)
		return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
	}
	if root.kind != '{' {
		return nil, at(root, `the file must be a JSON object with a "flags" object`)
	}
	if err := noDuplicates(data, root); err != nil {
		return nil, err
	}
	fm, _ := root.member("flags")
	if fm == nil {
		return nil, at(root, `no "flags" object: not a flagd flag-definition file`)
	}
	if fm.val.kind != '{' {
		return nil, at(fm.val, `"flags" must be an object of flag keys to definitions`)
	}
	if err := noDuplicates(data, fm.val); err != nil {
		return nil, err
	}
	doc := &flagdDoc{data: data}
	for _, m := range fm.val.members {
		f, err := parseFlagdFlag(data, m, at)
		if err != nil {
			return nil, err
		}
		doc.flags = append(doc.flags, f)
	}
	return doc, nil
}

func parseFlagdFlag(data []byte, m jmember, at func(*jnode, string, ...any) error) (flagdFlag, error) {
	f := flagdFlag{key: m.key, obj: m.val}
	if m.val.kind != '{' {
		return f, at(m.val, "flag %q must be an object", m.key)
	}
	if err := noDuplicates(data, m.val); err != nil {
		return f, err
	}
	st, _ := m.val.member("state")
	if st == nil {
		return f, at(m.val, `flag %q has no "state" (ENABLED or DISABLED)`, m.key)
	}
	if st.val.kind != '"' || (st.val.str != "ENABLED" && st.val.str != "DISABLED") {
		return f, at(st.val, `flag %q: "state" must be "ENABLED" or "DISABLED"`, m.key)
	}
	f.state, f.stateN = st.val.str, st.val
	vs, _ := m.val.member("variants")
	if vs == nil || vs.val.kind != '{' || len(vs.val.members) == 0 {
		n := m.val
		if vs != nil {
			n = vs.val
		}
		return f, at(n, `flag %q needs a "variants" object with at least one variant`, m.key)
	}
	if err := noDuplicates(data, vs.val); err != nil {
		return f, err
	}
	for _, v := range vs.val.members {
		var val any
		if err := json.Unmarshal(data[v.val.start:v.val.end], &val); err != nil {
			return f, at(v.val, "flag %q variant %q: %v", m.key, v.key, err)
		}
		f.variants = append(f.variants, flagdVariant{name: v.key, value: val})
	}
	dv, _ := m.val.member("defaultVariant")
	if dv == nil {
		return f, at(m.val, `flag %q has no "defaultVariant"`, m.key)
	}
	switch dv.val.kind {
	case '"':
		if f.variant(dv.val.str) == nil {
			return f, at(dv.val, "flag %q: defaultVariant %q is not one of its variants (%s)", m.key, dv.val.str, f.variantNames())
		}
		f.dvName = dv.val.str
	case 'n':
	default:
		return f, at(dv.val, `flag %q: "defaultVariant" must be a variant name`, m.key)
	}
	f.dv = dv.val
	if t, _ := m.val.member("targeting"); t != nil {
		f.target = t.val
	}
	return f, nil
}

// noDuplicates rejects an object with a key written twice: JSON readers
// disagree on which one wins, so editing either could be the wrong one.
func noDuplicates(data []byte, obj *jnode) error {
	seen := make(map[string]bool, len(obj.members))
	for _, m := range obj.members {
		if seen[m.key] {
			line, col := position(data, m.keyStart)
			return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf("key %q appears twice in the same object", m.key)}
		}
		seen[m.key] = true
	}
	return nil
}

func (d *flagdDoc) flag(key string) *flagdFlag {
	for i := range d.flags {
		if d.flags[i].key == key {
			return &d.flags[i]
		}
	}
	return nil
}

func (f *flagdFlag) variant(name string) *flagdVariant {
	for i := range f.variants {
		if f.variants[i].name == name {
			return &f.variants[i]
		}
	}
	return nil
}

func (f *flagdFlag) variantNames() string {
	names := make([]string, len(f.variants))
	for i, v := range f.variants {
		names[i] = fmt.Sprintf("%q", v.name)
	}
	return strings.Join(names, ", ")
}

// hasTargeting reports targeting rules that can override the default
// (an empty object is flagd's "no targeting").
func (f *flagdFlag) hasTargeting() bool {
	return f.target != nil && !(f.target.kind == '{' && len(f.target.members) == 0) && f.target.kind != 'n'
}

// pickVariant finds the variant to switch to: the configured name, else
// the first variant whose value is want, else the one named fallback.
func (f *flagdFlag) pickVariant(configured string, want bool, fallback string) (string, error) {
	if configured != "" {
		if f.variant(configured) == nil {
			return "", fmt.Errorf("flag %q has no variant %q (configured off_variant); its variants are %s", f.key, configured, f.variantNames())
		}
		return configured, nil
	}
	for _, v := range f.variants {
		if b, ok := v.value.(bool); ok && b == want {
			return v.name, nil
		}
	}
	if f.variant(fallback) != nil {
		return fallback, nil
	}
	return "", fmt.Errorf("flag %q has no %s variant (one whose value is %t, or one named %q); its variants are %s; set off_variant in the config",
		f.key, fallback, want, fallback, f.variantNames())
}

// view is the flag as Flag reports it. hasOff is false when it has no off
// variant (then ENABLED counts as on).
func (f *flagdFlag) view(offVariant string, hasOff bool) Flag {
	fl := Flag{Key: clean(f.key), Variant: clean(f.dvName), Targeting: f.hasTargeting()}
	if v := f.variant(f.dvName); v != nil {
		fl.Value = v.value
	}
	detail := func() string {
		name := f.dvName
		if f.dv.kind == 'n' {
			name = "none"
		}
		s := "variant " + clean(name)
		if fl.Targeting {
			s += ", targeting"
		}
		return s
	}
	switch {
	case f.state == "DISABLED":
		fl.State = "off (DISABLED)"
		fl.Variant = ""
		fl.Value = nil
	case hasOff && f.dv.kind == '"' && f.dvName == offVariant:
		fl.State = "off (" + detail() + ")"
	default:
		fl.On = true
		fl.State = "on (" + detail() + ")"
	}
	return fl
}

// edit works out the new file bytes for a change, the effects a person
// should read before confirming, and the undo record. offVariant is the
// flag's off variant when hasOff.
func (d *flagdDoc) edit(f *flagdFlag, c Change, offVariant string, hasOff bool) (out []byte, effects []string, undo map[string]any, err error) {
	var ss []splice
	undo = map[string]any{}
	setDefault := func(to string) {
		if f.dvName == to && f.dv.kind == '"' {
			return
		}
		ss = append(ss, splice{f.dv.start, f.dv.end, jsonString(to)})
		if f.dv.kind == 'n' {
			undo["defaultVariant"] = nil
		} else {
			undo["defaultVariant"] = f.dvName
		}
		effects = append(effects, fmt.Sprintf("defaultVariant: %s → %s", clean(f.dvName), clean(to)))
	}
	setState := func(to string) {
		if f.state == to {
			return
		}
		ss = append(ss, splice{f.stateN.start, f.stateN.end, jsonString(to)})
		undo["state"] = f.state
		effects = append(effects, fmt.Sprintf("state: %s → %s", f.state, to))
	}
	switch {
	case c.Restore != nil:
		ss, effects, err = d.restore(f, c.Restore)
		if err != nil {
			return nil, nil, nil, err
		}
		undo = nil
	case !c.On:
		if f.state == "DISABLED" {
			return d.data, nil, nil, nil // a DISABLED flag serves no variant: already off
		}
		if !hasOff {
			_, err := f.pickVariant("", false, "off")
			return nil, nil, nil, err
		}
		setDefault(offVariant)
		if f.target != nil && c.DropTargeting {
			_, i := f.obj.member("targeting")
			s, removed := removeMember(d.data, f.obj, i)
			ss = append(ss, splice{s.start, s.end, ""})
			undo["targeting"] = string(d.data[f.target.start:f.target.end])
			undo["targeting_text"] = removed
			undo["targeting_after"] = ""
			if i > 0 {
				undo["targeting_after"] = f.obj.members[i-1].key
			}
			effects = append(effects, fmt.Sprintf("targeting removed (%d bytes, kept in the journal so `flag restore` puts it back)", f.target.end-f.target.start))
		} else if f.hasTargeting() {
			effects = append(effects, "targeting kept: clients matching its rules may still get another variant (--drop-targeting removes it)")
		}
	default:
		setState("ENABLED")
		if f.dv.kind == 'n' || (hasOff && f.dvName == offVariant) {
			on, err := f.pickVariant("", true, "on")
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%w (or use `sitrep flag restore` to return it to its state before the kill)", err)
			}
			setDefault(on)
		}
	}
	if len(ss) == 0 {
		return d.data, nil, nil, nil
	}
	return applySplices(d.data, ss), effects, undo, nil
}

// restore undoes an earlier edit from its undo record.
func (d *flagdDoc) restore(f *flagdFlag, u map[string]any) (ss []splice, effects []string, err error) {
	keys := make([]string, 0, len(u))
	for k := range u {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "defaultVariant":
			to := "null"
			name := "none"
			if s, ok := u[k].(string); ok {
				if f.variant(s) == nil {
					return nil, nil, fmt.Errorf("cannot restore flag %q: its variant %q no longer exists (variants now: %s)", f.key, s, f.variantNames())
				}
				to, name = jsonString(s), s
			}
			if string(d.data[f.dv.start:f.dv.end]) != to {
				ss = append(ss, splice{f.dv.start, f.dv.end, to})
				effects = append(effects, fmt.Sprintf("defaultVariant: %s → %s", clean(f.dvName), clean(name)))
			}
		case "state":
			s, _ := u[k].(string)
			if s != "ENABLED" && s != "DISABLED" {
				return nil, nil, fmt.Errorf("cannot restore flag %q: the journal's undo record has state %q", f.key, s)
			}
			if s != f.state {
				ss = append(ss, splice{f.stateN.start, f.stateN.end, jsonString(s)})
				effects = append(effects, fmt.Sprintf("state: %s → %s", f.state, s))
			}
		case "targeting":
			raw, _ := u[k].(string)
			if _, err := parseJSON([]byte(raw)); err != nil {
				return nil, nil, fmt.Errorf("cannot restore flag %q: the journaled targeting is not valid JSON: %v", f.key, err)
			}
			s, err := d.putTargeting(f, raw, u)
			if err != nil {
				return nil, nil, err
			}
			if s != nil {
				ss = append(ss, *s)
				effects = append(effects, fmt.Sprintf("targeting put back (%d bytes, from the journal)", len(raw)))
			}
		}
	}
	return ss, effects, nil
}

// putTargeting returns the splice that puts journaled targeting back: the
// exact bytes removed, at the place they were removed from, when that place
// still exists; else a new member at the end.
func (d *flagdDoc) putTargeting(f *flagdFlag, raw string, u map[string]any) (*splice, error) {
	if f.target != nil {
		if string(d.data[f.target.start:f.target.end]) == raw {
			return nil, nil
		}
		return &splice{f.target.start, f.target.end, raw}, nil
	}
	text, _ := u["targeting_text"].(string)
	after, _ := u["targeting_after"].(string)
	if text != "" && strings.Contains(text, raw) {
		if after == "" && len(f.obj.members) > 0 {
			at := f.obj.members[0].keyStart
			return &splice{at, at, text}, nil
		}
		if m, _ := f.obj.member(after); m != nil {
			return &splice{m.val.end, m.val.end, text}, nil
		}
	}
	last := f.obj.members[len(f.obj.members)-1]
	return &splice{last.val.end, last.val.end, `, "targeting": ` + raw}, nil
}
