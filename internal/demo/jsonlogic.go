package demo

import (
	"fmt"
	"strconv"
	"strings"
)

// jsonLogic evaluates the subset of JsonLogic (jsonlogic.com) that flagd
// targeting rules commonly use: var, if/?:, and, or, !, !!, == != === !==,
// < <= > >=, in, and flagd's starts_with / ends_with. Anything else is an
// error naming the operator, so a rule the demo cannot evaluate is reported
// rather than silently treated as a miss.
func jsonLogic(rule any, data map[string]any) (any, error) {
	switch r := rule.(type) {
	case map[string]any:
		if len(r) != 1 {
			return nil, fmt.Errorf("a rule must have exactly one operator, got %d keys", len(r))
		}
		for op, raw := range r {
			return apply(op, raw, data)
		}
	case []any:
		out := make([]any, len(r))
		for i, v := range r {
			var err error
			if out[i], err = jsonLogic(v, data); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return rule, nil
}

func apply(op string, raw any, data map[string]any) (any, error) {
	args, ok := raw.([]any)
	if !ok {
		args = []any{raw} // {"var":"x"} is short for {"var":["x"]}
	}
	// if, and, or short-circuit, so they evaluate their own arguments.
	switch op {
	case "if", "?:":
		for i := 0; i+1 < len(args); i += 2 {
			c, err := jsonLogic(args[i], data)
			if err != nil {
				return nil, err
			}
			if truthy(c) {
				return jsonLogic(args[i+1], data)
			}
		}
		if len(args)%2 == 1 {
			return jsonLogic(args[len(args)-1], data)
		}
		return nil, nil
	case "and", "or":
		var last any
		for _, a := range args {
			v, err := jsonLogic(a, data)
			if err != nil {
				return nil, err
			}
			last = v
			if truthy(v) == (op == "or") {
				return v, nil
			}
		}
		return last, nil
	}
	vals := make([]any, len(args))
	for i, a := range args {
		var err error
		if vals[i], err = jsonLogic(a, data); err != nil {
			return nil, err
		}
	}
	arg := func(i int) any {
		if i < len(vals) {
			return vals[i]
		}
		return nil
	}
	switch op {
	case "var":
		return lookup(arg(0), arg(1), data), nil
	case "!":
		return !truthy(arg(0)), nil
	case "!!":
		return truthy(arg(0)), nil
	case "==":
		return looseEqual(arg(0), arg(1)), nil
	case "!=":
		return !looseEqual(arg(0), arg(1)), nil
	case "===":
		return strictEqual(arg(0), arg(1)), nil
	case "!==":
		return !strictEqual(arg(0), arg(1)), nil
	case "<", "<=", ">", ">=":
		return compare(op, vals)
	case "in":
		switch hay := arg(1).(type) {
		case string:
			s, ok := arg(0).(string)
			return ok && strings.Contains(hay, s), nil
		case []any:
			for _, v := range hay {
				if strictEqual(v, arg(0)) {
					return true, nil
				}
			}
		}
		return false, nil
	case "starts_with", "ends_with":
		s, ok1 := arg(0).(string)
		fix, ok2 := arg(1).(string)
		if !ok1 || !ok2 {
			return false, nil
		}
		if op == "starts_with" {
			return strings.HasPrefix(s, fix), nil
		}
		return strings.HasSuffix(s, fix), nil
	}
	return nil, fmt.Errorf("operator %q is not supported by the demo's flag evaluator", op)
}

// lookup resolves a dotted path ("user.email", "items.0") in data.
func lookup(path, def any, data map[string]any) any {
	var p string
	switch v := path.(type) {
	case string:
		p = v
	case float64:
		p = strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return data
	default:
		return def
	}
	if p == "" {
		return data
	}
	var cur any = data
	for _, part := range strings.Split(p, ".") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[part]
			if !ok {
				return def
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
				return def
			}
			cur = c[i]
		default:
			return def
		}
	}
	if cur == nil {
		return def
	}
	return cur
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	}
	return true
}

func strictEqual(a, b any) bool {
	switch a.(type) {
	case nil:
		return b == nil
	case bool, float64, string:
		return a == b
	}
	return false // arrays and objects compare by identity in JavaScript
}

// looseEqual is JavaScript's ==, limited to the JSON types: numbers and
// numeric strings compare as numbers, booleans as 0/1.
func looseEqual(a, b any) bool {
	if strictEqual(a, b) {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	fa, okA := toNumber(a)
	fb, okB := toNumber(b)
	return okA && okB && fa == fb
}

func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		if strings.TrimSpace(x) == "" {
			return 0, true
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// compare implements < <= > >=, and JsonLogic's three-argument "between"
// forms of < and <=.
func compare(op string, vals []any) (any, error) {
	if len(vals) < 2 || len(vals) > 3 || (len(vals) == 3 && op != "<" && op != "<=") {
		return nil, fmt.Errorf("operator %q takes 2 arguments (or 3 for < and <=), got %d", op, len(vals))
	}
	nums := make([]float64, len(vals))
	for i, v := range vals {
		f, ok := toNumber(v)
		if !ok {
			return false, nil
		}
		nums[i] = f
	}
	for i := 0; i+1 < len(nums); i++ {
		a, b := nums[i], nums[i+1]
		var ok bool
		switch op {
		case "<":
			ok = a < b
		case "<=":
			ok = a <= b
		case ">":
			ok = a > b
		case ">=":
			ok = a >= b
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func describeJSON(v any) string {
	switch v.(type) {
	case float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
