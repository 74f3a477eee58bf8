package msgs

import (
	"encoding/csv"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// allowedDynamic are the message arguments the scan cannot read, each with
// what reaches the client and why it is translated anyway.
var allowedDynamic = map[string]string{
	// Another error's message handed on (an apperr message: scanned where
	// that error is made).
	"applications/service.go|errMessage(err)": "another error's message",
	// A failed profile's stored reason: the profile package's apperr
	// messages (scanned) or quality's own, listed in extraTexts.
	"quality/handler.go|unreadable.Error()": "stored profile failure",
	// encoding/csv's parse errors, listed in extraTexts from the package.
	"upload/tabular.go|pe.Err.Error()": "encoding/csv error",
}

// extraTexts are client messages the scan cannot find: the error
// handler's own (it calls msgs itself), Echo's (net/http status texts),
// encoding/csv's, and the profile failures quality stores before a client
// reads them (checked to be in its source below).
func extraTexts() []string {
	out := []string{"internal error", "service unavailable, try again later", "not found",
		csv.ErrBareQuote.Error(), csv.ErrQuote.Error(), csv.ErrFieldCount.Error()}
	for code := 400; code < 600; code++ {
		if t := http.StatusText(code); t != "" {
			out = append(out, t)
		}
	}
	return append(out, qualityFailures...)
}

// qualityFailures are fmt.Sprintf formats in server/quality/profiles.go
// whose result is stored as a profile's failure and shown later.
var qualityFailures = []string{
	"profiling the file took longer than %s",
	"the file has too many columns to keep its profile (%d bytes, at most %d)",
}

var cjk = regexp.MustCompile(`\p{Han}`)

// TestCatalogComplete is the completeness test: every message the server
// can send has a Chinese translation with the same verbs, every text that
// is not English has an English one, nothing the scan cannot read is
// unaccounted for, and the catalog holds nothing that is no longer used.
func TestCatalogComplete(t *testing.T) {
	s := scanServer(t)
	if len(s.Formats) < 400 {
		t.Fatalf("the scan found %d messages: it no longer sees the call sites", len(s.Formats))
	}
	zh, en := Catalog(ZH), Catalog(EN)
	used := map[string]bool{}
	check := func(text, pos string) {
		if text == "%s" || text == "%v" {
			return // hands another message on
		}
		used[text] = true
		tr, ok := zh[text]
		if !ok {
			t.Errorf("%s: no Chinese for %q", pos, text)
		} else if err := sameVerbs(text, tr); err != nil {
			t.Errorf("%s: %q → %q: %v", pos, text, tr, err)
		}
		if cjk.MatchString(text) && !strings.ContainsAny(text, "abcdefghijklmnopqrstuvwxyz") {
			return // Chinese only: the same in English pages is acceptable for codes like 类
		}
		if cjk.MatchString(text) && isBilingual(text) {
			etr, ok := en[text]
			if !ok {
				t.Errorf("%s: %q holds Chinese: en.json needs its English", pos, text)
			} else if err := sameVerbs(text, etr); err != nil {
				t.Errorf("%s: en %q → %q: %v", pos, text, etr, err)
			}
		}
	}
	for _, f := range s.Formats {
		check(f.Text, f.Pos)
	}
	for _, x := range extraTexts() {
		check(x, "extra")
	}
	src, err := os.ReadFile("../quality/profiles.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range qualityFailures {
		if !strings.Contains(string(src), fmt.Sprintf("%q", f)) {
			t.Errorf("quality/profiles.go no longer says %q: update qualityFailures", f)
		}
	}
	var dyn []string
	for _, d := range s.Dynamic {
		file := d.Pos[:strings.LastIndex(d.Pos, ":")]
		if file == "web/web.go" {
			continue // the error handler renders through msgs itself
		}
		if _, ok := allowedDynamic[file+"|"+d.Text]; !ok {
			dyn = append(dyn, d.Pos+" "+d.Text)
		}
	}
	if len(dyn) > 0 {
		t.Errorf("messages the scan cannot read (use a literal format, or list them in allowedDynamic with what reaches the client):\n%s", strings.Join(dyn, "\n"))
	}
	var stale []string
	for k := range zh {
		if !used[k] {
			stale = append(stale, k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			stale = append(stale, "en: "+k)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("catalog entries no code sends any more (remove them):\n%s", strings.Join(stale, "\n"))
	}
}

// isBilingual reports whether text holds an English part besides Chinese.
func isBilingual(text string) bool {
	words := 0
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) || unicode.Is(unicode.Han, r) }) {
		if len(w) > 2 {
			words++
		}
	}
	return words >= 2
}

// TestCatalogChinese checks the Chinese itself: every translation is
// Chinese (numbers and units aside), and every Latin word in it comes from
// the source (a parameter name, a format such as CSV, a value such as
// true), so no English sentence is left half translated.
func TestCatalogChinese(t *testing.T) {
	word := regexp.MustCompile(`[A-Za-z][A-Za-z0-9_\-]*`)
	for src, tr := range Catalog(ZH) {
		if !cjk.MatchString(tr) && !unitsOnly(tr) {
			t.Errorf("%q → %q: not Chinese", src, tr)
		}
		for _, w := range word.FindAllString(verbRE.ReplaceAllString(tr, " "), -1) {
			if !strings.Contains(src, w) {
				t.Errorf("%q → %q: %q is not in the source", src, tr, w)
			}
		}
	}
	for term, tr := range Terms() {
		if !cjk.MatchString(tr) {
			t.Errorf("term %q → %q: not Chinese", term, tr)
		}
	}
}

// unitsOnly reports whether s has no words to translate: a number with a
// unit ("%d MB"), or only verbs and punctuation ("%s：%s").
func unitsOnly(s string) bool {
	return regexp.MustCompile(`^%d [KMG]B$`).MatchString(s) || !regexp.MustCompile(`[A-Za-z]`).MatchString(verbRE.ReplaceAllString(s, ""))
}

// omitsArgs are the translations that read none of their source's
// arguments: a list of codes the form offers as choices anyway, or the
// internal name of a policy profile.
var omitsArgs = map[string]bool{
	"grade must be one of %s":                   true,
	"update_frequency must be one of %s":        true,
	"share_method must be one of %s":            true,
	"type must be one of %s":                    true,
	"domain must be empty or one of %s":         true,
	"the policy profile %q allows no extension": true,
	"under the policy profile %q the head of the handling department decides extensions": true,
	"under the policy profile %q the same-level data authority decides extensions":       true,
}

// sameVerbs reports whether a translation reads the same arguments with
// the same verbs: in the same order, or by explicit index (%[2]s) where a
// source holds two languages and the translation keeps one.
func sameVerbs(src, tr string) error {
	sv, tv := Verbs(src), Verbs(tr)
	if len(tv) == 0 && omitsArgs[src] {
		return nil
	}
	if strings.Contains(tr, "%[") {
		for _, v := range tv {
			if v.Arg >= len(sv) || sv[v.Arg].Verb != v.Verb {
				return fmt.Errorf("verb %%%c reads argument %d, which the source does not give that way", v.Verb, v.Arg+1)
			}
		}
		return nil
	}
	if len(sv) != len(tv) {
		return fmt.Errorf("%d verbs, the source has %d", len(tv), len(sv))
	}
	for i := range sv {
		if sv[i] != tv[i] {
			return fmt.Errorf("verb %d is %%%c, the source's is %%%c", i+1, tv[i].Verb, sv[i].Verb)
		}
	}
	return nil
}

// TestNoArticleCodes: no string of the server (a message, a notice, an
// e-mail, a feed, a vocabulary label) shows the internal article codes
// ("000 Art 24", "000 第24条"); where the rule matters to the reader, the
// text names the regulation. Comments may keep the codes: they are for
// developers.
func TestNoArticleCodes(t *testing.T) {
	code := regexp.MustCompile(`\b00[0-3] ?(Art|第|¶)`)
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && code.MatchString(lit.Value) {
				t.Errorf("%s: %s", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{ZH, EN} {
		for k, v := range Catalog(lang) {
			if code.MatchString(k) || code.MatchString(v) {
				t.Errorf("%s catalog: %q → %q", lang, k, v)
			}
		}
	}
}
