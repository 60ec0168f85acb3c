// Package selector parses series selectors as written in the config's
// `series:` (name{label="v",other!="x",path=~"/api/.*",code!~"2.."}) and
// matches them against label sets. It depends on the standard library only,
// so config can validate with the very parser the scrape poller uses.
package selector

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Selector picks samples from a scrape: a metric name and label matchers,
// written like PromQL: name{label="v",other!="x",path=~"/api/.*",code!~"2.."}.
// Regular expressions are anchored at both ends, as in PromQL.
type Selector struct {
	Name     string
	Matchers []Matcher
}

// Matcher is one label condition. A label the sample lacks has value "".
type Matcher struct {
	Label string
	Op    string // = != =~ !~
	Value string
	re    *regexp.Regexp
}

// Matches reports whether the label value v satisfies m.
func (m Matcher) Matches(v string) bool {
	switch m.Op {
	case "=":
		return v == m.Value
	case "!=":
		return v != m.Value
	case "=~":
		return m.re.MatchString(v)
	default: // "!~"
		return !m.re.MatchString(v)
	}
}

// MatchesLabels reports whether every matcher holds for labels.
func (s Selector) MatchesLabels(labels map[string]string) bool {
	for _, m := range s.Matchers {
		if !m.Matches(labels[m.Label]) {
			return false
		}
	}
	return true
}

func (s Selector) String() string {
	if len(s.Matchers) == 0 {
		return s.Name
	}
	parts := make([]string, len(s.Matchers))
	for i, m := range s.Matchers {
		parts[i] = m.Label + m.Op + strconv.Quote(m.Value)
	}
	return s.Name + "{" + strings.Join(parts, ",") + "}"
}

// Parse parses a series selector. Errors say where and what, without
// quoting the whole input (the caller knows which selector it was).
func Parse(in string) (Selector, error) {
	p := &selParser{s: strings.TrimSpace(in)}
	sel, err := p.parse()
	if err != nil {
		return Selector{}, err
	}
	return sel, nil
}

// RegexpError is a regexp compile error without Go's "error parsing
// regexp: " preamble: "invalid regexp: missing closing ): `(`".
func RegexpError(err error) string {
	return "invalid regexp: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

type selParser struct {
	s   string
	pos int
}

func (p *selParser) parse() (Selector, error) {
	var sel Selector
	sel.Name = p.ident(true)
	if sel.Name == "" {
		return sel, fmt.Errorf("expected a metric name at column %d", p.pos+1)
	}
	p.space()
	if p.pos == len(p.s) {
		return sel, nil
	}
	if p.s[p.pos] != '{' {
		return sel, fmt.Errorf("unexpected %q at column %d (labels go in {...})", p.s[p.pos], p.pos+1)
	}
	p.pos++
	for {
		p.space()
		if p.eat("}") {
			break
		}
		m, err := p.matcher()
		if err != nil {
			return sel, err
		}
		sel.Matchers = append(sel.Matchers, m)
		p.space()
		if p.eat(",") {
			continue
		}
		if p.eat("}") {
			break
		}
		return sel, fmt.Errorf("expected , or } at column %d", p.pos+1)
	}
	p.space()
	if p.pos != len(p.s) {
		return sel, fmt.Errorf("unexpected text after } at column %d", p.pos+1)
	}
	return sel, nil
}

func (p *selParser) matcher() (Matcher, error) {
	var m Matcher
	m.Label = p.ident(false)
	if m.Label == "" {
		return m, fmt.Errorf("expected a label name at column %d", p.pos+1)
	}
	p.space()
	for _, op := range []string{"=~", "!~", "!=", "="} {
		if p.eat(op) {
			m.Op = op
			break
		}
	}
	if m.Op == "" {
		return m, fmt.Errorf("expected =, !=, =~ or !~ after %s at column %d", m.Label, p.pos+1)
	}
	p.space()
	val, err := p.quoted()
	if err != nil {
		return m, err
	}
	m.Value = val
	if m.Op == "=~" || m.Op == "!~" {
		// Compile the expression as written first, so an error quotes
		// the user's text rather than our anchored wrapper.
		if _, err := regexp.Compile(val); err != nil {
			return m, fmt.Errorf("label %s: %s", m.Label, RegexpError(err))
		}
		re, err := regexp.Compile("^(?:" + val + ")$")
		if err != nil {
			return m, fmt.Errorf("label %s: %s", m.Label, RegexpError(err))
		}
		m.re = re
	}
	return m, nil
}

func (p *selParser) quoted() (string, error) {
	start := p.pos
	if p.pos >= len(p.s) || p.s[p.pos] != '"' {
		return "", fmt.Errorf("expected a \"quoted\" label value at column %d", p.pos+1)
	}
	p.pos++
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case '\\':
			p.pos += 2
			continue
		case '"':
			p.pos++
			v, err := strconv.Unquote(p.s[start:p.pos])
			if err != nil {
				return "", fmt.Errorf("bad escape in label value at column %d", start+1)
			}
			return v, nil
		}
		p.pos++
	}
	return "", fmt.Errorf("unterminated label value starting at column %d", start+1)
}

func (p *selParser) ident(metricName bool) string {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(p.pos > start && c >= '0' && c <= '9') || (metricName && c == ':')
		if !ok {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *selParser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

func (p *selParser) eat(tok string) bool {
	if strings.HasPrefix(p.s[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}
