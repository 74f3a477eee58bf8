package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The message catalogs as this checkout holds them (frontend/static/i18n).
const catalogDir = "../../frontend/static/i18n"

// catalogPairs loads every catalog pair: "" (zh.json, en.json) and each
// domain's <domain>.zh.json / <domain>.en.json.
func catalogPairs(t *testing.T) map[string][2]map[string]string {
	t.Helper()
	load := func(name string) map[string]string {
		b, err := os.ReadFile(filepath.Join(catalogDir, name))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	out := map[string][2]map[string]string{"": {load("zh.json"), load("en.json")}}
	zhs, err := filepath.Glob(filepath.Join(catalogDir, "*.zh.json"))
	if err != nil || len(zhs) == 0 {
		t.Fatalf("no domain catalogs in %s: %v", catalogDir, err)
	}
	for _, z := range zhs {
		d := strings.TrimSuffix(filepath.Base(z), ".zh.json")
		out[d] = [2]map[string]string{load(d + ".zh.json"), load(d + ".en.json")}
	}
	return out
}

// TestCatalogWithdrawRevoke: 撤回 (an applicant withdraws its own
// application, a department its own request) and 撤销 (revoke published
// open data, or a token) are never mixed: a key whose Chinese says 撤回
// does not say "revoke" in English, and one whose Chinese says 撤销 does
// not say "withdraw".
func TestCatalogWithdrawRevoke(t *testing.T) {
	revoke := regexp.MustCompile(`(?i)\brevo(k|c)`)
	withdraw := regexp.MustCompile(`(?i)\bwithdr[ae]w`)
	checked := 0
	for domain, pair := range catalogPairs(t) {
		zh, en := pair[0], pair[1]
		for k, z := range zh {
			e := en[k]
			switch {
			case strings.Contains(z, "撤回") && revoke.MatchString(e):
				t.Errorf("%s %s: 撤回 in %q but %q", domain, k, z, e)
			case strings.Contains(z, "撤销") && withdraw.MatchString(e):
				t.Errorf("%s %s: 撤销 in %q but %q", domain, k, z, e)
			case strings.Contains(z, "吊销") || strings.Contains(z, "撤消"):
				t.Errorf("%s %s: %q: say 撤销 (revoke) or 撤回 (withdraw)", domain, k, z)
			}
			if strings.Contains(z, "撤回") || strings.Contains(z, "撤销") {
				checked++
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d strings say 撤回 or 撤销: the catalogs were not read", checked)
	}
}

// TestCatalogNoArticleCodes: no catalog string shows an internal article
// code such as "000 Art 24" or "000 第24条"; a rule that matters to the
// reader is cited by the regulation's name.
func TestCatalogNoArticleCodes(t *testing.T) {
	code := regexp.MustCompile(`\b00\d\s*(Art|第)`)
	n := 0
	for domain, pair := range catalogPairs(t) {
		for i, m := range pair {
			for k, v := range m {
				n++
				if code.MatchString(v) {
					t.Errorf("%s %s (%s): internal article code in %q", domain, k, []string{"zh", "en"}[i], v)
				}
			}
		}
	}
	if n < 1000 {
		t.Errorf("only %d strings read", n)
	}
}

// TestCatalogPlurals: every key the scripts count with tn() exists in
// both languages, and a ".one" variant, where there is one, exists in both
// and says the English singular.
func TestCatalogPlurals(t *testing.T) {
	all := [2]map[string]string{{}, {}}
	for _, pair := range catalogPairs(t) {
		for i := range pair {
			for k, v := range pair[i] {
				all[i][k] = v
			}
		}
	}
	used := map[string]bool{}
	call := regexp.MustCompile(`\btn\(\s*'([A-Za-z0-9_.]+)'`)
	err := filepath.Walk("../../frontend/static/js", func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		b, err := os.ReadFile(p)
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 10 {
		t.Fatalf("only %d tn() keys found", len(used))
	}
	var names []string
	for k := range used {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for i, lang := range []string{"zh", "en"} {
			if _, ok := all[i][k]; !ok {
				t.Errorf("tn key %s missing in %s", k, lang)
			}
		}
	}
	for k, v := range all[1] {
		base, ok := strings.CutSuffix(k, ".one")
		if !ok {
			continue
		}
		if _, ok := all[1][base]; !ok {
			t.Errorf("%s has no plural %s", k, base)
		}
		if _, ok := all[0][k]; !ok {
			t.Errorf("%s missing in zh", k)
		}
		if v == all[1][base] {
			t.Errorf("%s says the same as %s: %q", k, base, v)
		}
	}
}
