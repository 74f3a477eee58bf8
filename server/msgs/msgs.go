// Package msgs renders the server's messages in the reader's language.
//
// English is the source: every message is written in Go as an English
// format string (apperr.New(code, "page must be a whole number from 1 to
// %d", n)), and zh.json maps each format, exactly as written, to its
// Chinese with the same printf verbs in the same order (or explicit
// argument indexes, %[2]s, where a source holds both languages or the
// translation leaves an argument out; a translation may also read none,
// see the completeness test's omitsArgs). A format
// the catalog does not know stays English; the completeness test in this
// package keeps that from happening. en.json holds the few sources that
// are not plain English (bilingual calendar messages).
//
// terms_zh.json translates the words messages put into their %s
// arguments: statuses ("the application is %s"), what was not found, the
// form field a message names ("%s is required" → 请填写申请用途).
package msgs

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The languages, as server/locale names them.
const (
	ZH = "zh"
	EN = "en"
)

//go:embed zh.json
var zhJSON []byte

//go:embed en.json
var enJSON []byte

//go:embed terms_zh.json
var termsJSON []byte

var (
	catalogs = map[string]map[string]string{ZH: load(zhJSON, "zh.json"), EN: load(enJSON, "en.json")}
	termsZH  = load(termsJSON, "terms_zh.json")
)

func load(b []byte, name string) map[string]string {
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		panic("msgs: " + name + ": " + err.Error())
	}
	return m
}

// Catalog returns a copy of lang's catalog (source format → format in
// lang), for tests and tools.
func Catalog(lang string) map[string]string {
	src := catalogs[lang]
	out := make(map[string]string, len(src))
	for k, v := range src {
		out[k] = v
	}
	return out
}

// Terms returns a copy of the Chinese terms (word → Chinese).
func Terms() map[string]string {
	out := make(map[string]string, len(termsZH))
	for k, v := range termsZH {
		out[k] = v
	}
	return out
}

// Localize renders format with args in lang ("zh" or "en"; anything else
// is English). A format that only hands a message on ("%s") localizes that
// message instead. In Chinese, a %s or %v argument that is a known term or
// a whole known message is translated too.
func Localize(lang, format string, args ...any) string {
	if (format == "%s" || format == "%v") && len(args) == 1 {
		if s, ok := stringOf(args[0]); ok {
			return Text(lang, s)
		}
	}
	t, ok := catalogs[lang][format]
	if !ok {
		return fmt.Sprintf(format, args...)
	}
	if lang == ZH && len(args) > 0 {
		args = translateArgs(format, args)
	}
	return fmt.Sprintf(t, fitArgs(t, args)...)
}

// fitArgs drops the arguments a translation leaves out: one that reads
// none ("请选择数据分级" for "grade must be one of %s") takes none. A
// translation with explicit indexes (%[2]d) picks its own.
func fitArgs(t string, args []any) []any {
	if strings.Contains(t, "%[") {
		return args
	}
	if n := len(parseVerbs(t)); n < len(args) {
		return args[:n]
	}
	return args
}

// Text localizes a message that arrives already rendered in English (built
// with fmt.Sprintf or by concatenation, or handed over as a plain string):
// an exact catalog entry first, then the catalog format whose pattern
// matches the whole text, with the matched values put into the
// translation in order. Unknown text is returned as it is.
func Text(lang, s string) string {
	if s == "" {
		return s
	}
	cat := catalogs[lang]
	if len(cat) == 0 {
		return s
	}
	if t, ok := cat[s]; ok {
		return t
	}
	for _, p := range patternsOf(lang) {
		m := p.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, v := range m[1:] {
			args[i] = v
			if lang == ZH && p.textArg[i] {
				args[i] = translateArg(v)
			}
		}
		return fmt.Sprintf(p.to, fitArgs(p.to, args)...)
	}
	return s
}

// translateArgs translates the %s and %v string arguments of a Chinese
// message that are terms or whole messages; numbers, quoted values (%q)
// and unknown strings stay as they are.
func translateArgs(format string, args []any) []any {
	verbs := parseVerbs(format)
	out := args
	copied := false
	for _, v := range verbs {
		if v.arg >= len(args) || (v.verb != 's' && v.verb != 'v') {
			continue
		}
		s, ok := stringOf(args[v.arg])
		if !ok {
			continue
		}
		if t := translateArg(s); t != s {
			if !copied {
				out = append([]any(nil), args...)
				copied = true
			}
			out[v.arg] = t
		}
	}
	return out
}

// translateArg is the Chinese of one argument: a term, or a whole message
// of the catalog.
func translateArg(s string) string {
	if t, ok := termsZH[s]; ok {
		return t
	}
	// One word ("Gone", "required") may as well be a name: only sentences.
	if strings.Contains(s, " ") {
		if t := Text(ZH, s); t != s {
			return t
		}
	}
	return s
}

// stringOf returns the text of a string-kind argument (named string types
// such as a status included).
func stringOf(a any) (string, bool) {
	if s, ok := a.(string); ok {
		return s, true
	}
	if _, ok := a.(fmt.Stringer); ok {
		return "", false
	}
	v := reflect.ValueOf(a)
	if v.IsValid() && v.Kind() == reflect.String {
		return v.String(), true
	}
	return "", false
}

// verbRE matches one printf verb: an optional argument index, flags,
// width, precision and the verb letter; or "%%".
var verbRE = regexp.MustCompile(`%(?:\[([0-9]+)\])?[-+# 0]*[0-9]*(?:\.[0-9]*)?([a-zA-Z%])`)

// Verb is one printf verb of a format: the argument it reads (from 0) and
// its letter.
type Verb struct {
	Arg  int
	Verb byte
}

type verb struct {
	arg  int
	verb byte
	text string
}

// Verbs lists the verbs of format in order ("%%" left out), with the
// argument each reads as fmt counts them.
func Verbs(format string) []Verb {
	var out []Verb
	for _, v := range parseVerbs(format) {
		out = append(out, Verb{Arg: v.arg, Verb: v.verb})
	}
	return out
}

func parseVerbs(format string) []verb {
	var out []verb
	next := 0
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		arg := next
		if m[1] != "" {
			n, _ := strconv.Atoi(m[1])
			arg = n - 1
		}
		out = append(out, verb{arg: arg, verb: m[2][0], text: m[0]})
		next = arg + 1
	}
	return out
}

// minPatternText is the fixed text a pattern needs before Text trusts it:
// "%s: %s" would match almost anything.
const minPatternText = 4

type pattern struct {
	re      *regexp.Regexp
	to      string // the translation with every verb turned into %s
	textArg []bool // which captures are %s or %v (translated as terms)
	literal int    // length of the fixed text: longer patterns are tried first
}

var (
	patternsMu sync.Mutex
	patterns   = map[string][]pattern{}
)

// patternsOf turns every catalog format of lang with verbs into an
// anchored regular expression, most specific first.
func patternsOf(lang string) []pattern {
	patternsMu.Lock()
	defer patternsMu.Unlock()
	if ps, ok := patterns[lang]; ok {
		return ps
	}
	var ps []pattern
	for src, to := range catalogs[lang] {
		vs := parseVerbs(src)
		if len(vs) == 0 {
			continue
		}
		var b strings.Builder
		b.WriteString("^")
		literal, last := 0, 0
		var textArg []bool
		for _, loc := range verbRE.FindAllStringSubmatchIndex(src, -1) {
			lit := src[last:loc[0]]
			b.WriteString(regexp.QuoteMeta(lit))
			literal += len(lit)
			letter := src[loc[4]]
			if letter == '%' {
				b.WriteString("%")
			} else {
				b.WriteString(verbPattern(letter))
				textArg = append(textArg, letter == 's' || letter == 'v')
			}
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(src[last:]))
		literal += len(src) - last
		b.WriteString("$")
		if literal < minPatternText {
			continue
		}
		re, err := regexp.Compile(b.String())
		if err != nil {
			continue
		}
		// The captures come in the source's order; the translation reads
		// them by the source's argument numbers.
		order := map[int]int{}
		for i, v := range vs {
			order[v.arg] = i
		}
		tr := verbRE.ReplaceAllStringFunc(to, func(v string) string {
			m := verbRE.FindStringSubmatch(v)
			if m[2] == "%" {
				return v
			}
			if m[1] != "" {
				n, _ := strconv.Atoi(m[1])
				return "%[" + strconv.Itoa(order[n-1]+1) + "]s"
			}
			return "%s"
		})
		ps = append(ps, pattern{re: re, to: tr, textArg: textArg, literal: literal})
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].literal != ps[j].literal {
			return ps[i].literal > ps[j].literal
		}
		return ps[i].re.String() < ps[j].re.String()
	})
	patterns[lang] = ps
	return ps
}

// verbPattern is the text one verb can produce.
func verbPattern(letter byte) string {
	switch letter {
	case 'd':
		return `(-?[0-9]+)`
	case 'f', 'g':
		return `(-?[0-9]+(?:\.[0-9]+)?)`
	case 'q':
		return `("(?:[^"\\]|\\.)*")`
	}
	return `(.*?)`
}
