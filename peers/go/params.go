// Workload parameters: the same k=v text, defaults, range checks and messages as the C++
// workloads' Params (workloads/src/params.cpp), so that a value schedlab accepts or rejects is
// accepted or rejected here, and the params column is written the same way.
package main

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// paramError is a bad parameter: unknown key, unparsable or out-of-range value (one line).
type paramError struct{ msg string }

func (e *paramError) Error() string { return e.msg }

func paramErrorf(format string, args ...interface{}) error {
	return &paramError{fmt.Sprintf(format, args...)}
}

// paramSpec is one key a workload takes, with its default (as text) and its meaning.
type paramSpec struct {
	key, def, help string
}

// params maps keys to values exactly as given (trimmed, not normalised): "n=027" stays "027"
// in the params column, as it does in schedlab's.
type params map[string]string

func trimBlank(s string) string { return strings.Trim(s, " \t") }

// parseParams reads "k=v;k=v" or "k=v,k=v"; blanks around items are ignored, empty text is no
// parameters.
func parseParams(text string) (params, error) {
	p := params{}
	for _, raw := range strings.FieldsFunc(text, func(r rune) bool { return r == ';' || r == ',' }) {
		item := trimBlank(raw)
		if item == "" {
			continue
		}
		eq := strings.IndexByte(item, '=')
		if eq <= 0 {
			return nil, paramErrorf("parameter '%s' is not key=value", item)
		}
		key := trimBlank(item[:eq])
		if _, dup := p[key]; dup {
			return nil, paramErrorf("parameter '%s' given twice", key)
		}
		p[key] = trimBlank(item[eq+1:])
	}
	return p, nil
}

// withDefaults completes the given values with the specs' defaults; a key no spec names is an
// error, with a did-you-mean when one is close.
func (p params) withDefaults(workload string, specs []paramSpec) (params, error) {
	keys := make([]string, len(specs))
	for i, s := range specs {
		keys[i] = s.key
	}
	given := make([]string, 0, len(p))
	for k := range p {
		given = append(given, k)
	}
	sort.Strings(given) // the first unknown key in key order, as std::map iterates
	for _, k := range given {
		if indexOf(keys, k) >= 0 {
			continue
		}
		msg := fmt.Sprintf("workload %s has no parameter '%s'", workload, k)
		if hint := didYouMean(k, keys); hint != "" {
			msg += fmt.Sprintf(" (did you mean '%s'?)", hint)
		}
		return nil, &paramError{msg}
	}
	out := params{}
	for k, v := range p {
		out[k] = v
	}
	for _, s := range specs {
		if _, ok := out[s.key]; !ok {
			out[s.key] = s.def
		}
	}
	return out, nil
}

func (p params) has(key string) bool { _, ok := p[key]; return ok }

func (p params) str(key string) (string, error) {
	v, ok := p[key]
	if !ok {
		return "", paramErrorf("parameter '%s' is missing", key)
	}
	return v, nil
}

// getInt accepts what std::from_chars accepts for a signed decimal: an optional '-', digits,
// nothing else (no '+', no blanks, no overflow).
func (p params) getInt(key string, min, max int64) (int64, error) {
	v, err := p.str(key)
	if err != nil {
		return 0, err
	}
	digits := strings.TrimPrefix(v, "-")
	n, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil || digits == "" || digits[0] < '0' || digits[0] > '9' {
		return 0, paramErrorf("parameter %s=%s is not an integer", key, v)
	}
	if n < min || n > max {
		return 0, paramErrorf("parameter %s=%s is out of range [%d, %d]", key, v, min, max)
	}
	return n, nil
}

// getDouble accepts a finite number that strtod reads whole without a range error (overflow,
// or a nonzero value too small for a normal double).
func (p params) getDouble(key string, min, max float64) (float64, error) {
	v, err := p.str(key)
	if err != nil {
		return 0, err
	}
	f, perr := strconv.ParseFloat(v, 64)
	if perr != nil || math.IsInf(f, 0) || math.IsNaN(f) || underflows(v, f) {
		return 0, paramErrorf("parameter %s=%s is not a number", key, v)
	}
	if f < min || f > max {
		return 0, paramErrorf("parameter %s=%s is out of range [%s, %s]", key, v, cxxToString(min), cxxToString(max))
	}
	return f, nil
}

// underflows: strtod sets ERANGE when a nonzero number rounds to a subnormal or to zero.
func underflows(text string, f float64) bool {
	if f != 0 {
		return math.Abs(f) < 0x1p-1022
	}
	mantissa := strings.ToLower(text)
	if strings.HasPrefix(strings.TrimLeft(mantissa, "+-"), "0x") {
		mantissa = strings.TrimLeft(mantissa, "+-")[2:]
		if i := strings.IndexByte(mantissa, 'p'); i >= 0 {
			mantissa = mantissa[:i]
		}
		return strings.IndexAny(mantissa, "123456789abcdef") >= 0
	}
	if i := strings.IndexByte(mantissa, 'e'); i >= 0 {
		mantissa = mantissa[:i]
	}
	return strings.IndexAny(mantissa, "123456789") >= 0
}

// cxxToString formats a double as std::to_string does (%f).
func cxxToString(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

func (p params) getBool(key string) (bool, error) {
	v, err := p.str(key)
	if err != nil {
		return false, err
	}
	switch v {
	case "1", "true", "on", "yes":
		return true, nil
	case "0", "false", "off", "no":
		return false, nil
	}
	return false, paramErrorf("parameter %s=%s is not a boolean (1/0, on/off)", key, v)
}

// getChoice returns the value when it is one of choices, else an error listing them.
func (p params) getChoice(key string, choices ...string) (string, error) {
	v, err := p.str(key)
	if err != nil {
		return "", err
	}
	if indexOf(choices, v) >= 0 {
		return v, nil
	}
	return "", paramErrorf("parameter %s=%s is not one of: %s", key, v, strings.Join(choices, ", "))
}

// canonical is the params column: k=v sorted by key, joined by ';'.
func (p params) canonical() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	items := make([]string, len(keys))
	for i, k := range keys {
		items[i] = k + "=" + p[k]
	}
	return strings.Join(items, ";")
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// didYouMean returns the candidate nearest to word by edit distance when at most a third of
// word (at least one character) differs, else "".
func didYouMean(word string, candidates []string) string {
	best, bestD := "", math.MaxInt
	for _, c := range candidates {
		if d := editDistance(word, c); d < bestD {
			best, bestD = c, d
		}
	}
	limit := len(word) / 3
	if limit < 1 {
		limit = 1
	}
	if best == "" || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance over bytes, one row of the table at a time.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		diag := prev[0]
		prev[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			up := prev[j]
			prev[j] = minInt(minInt(up+1, prev[j-1]+1), diag+cost)
			diag = up
		}
	}
	return prev[len(b)]
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// isParamError tells a user's mistake (exit 2) from anything else.
func isParamError(err error) bool {
	var pe *paramError
	return errors.As(err, &pe)
}
