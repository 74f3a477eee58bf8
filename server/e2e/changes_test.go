package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
)

// TestCatalogChangeJourney: the authority records a catalog change notice
// against two entries of a department on Monday (due Thursday) → the
// provider sees it in its console, confirms one entry needs no change and
// asks for 5 more working days → the authority approves → the new due date
// (notice + 8 working days) shows on both consoles. axe on each page.
func TestCatalogChangeJourney(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2026-11-23 09:00")) // a Monday
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	var ids []string
	p.DB.Table("datasets").Where("department_id = ? AND status = ?", seed.DemoProviderDepartment, "published").Order("id").Limit(2).Pluck("id", &ids)
	if len(ids) < 2 {
		t.Fatalf("entries: %v", ids)
	}
	b := newAccountsBrowser(t)

	actAs(t, b, p, "authority", "/review/changes")
	waitFor(t, b, "the empty list", `document.querySelector('[data-testid=chg-empty]')`)
	eval[bool](t, b, `(document.querySelector('[data-testid=chg-create]').open = true)`)
	chooseOption(t, b, `#chg-f-department`, seed.DemoProviderDepartment)
	typeInto(t, b, `#chg-f-reason`, "《某某条例》修订，部门职责调整")
	setValue(t, b, `#chg-f-changed`, "2026-11-20")
	click(t, b, `#f-scope-some`)
	typeInto(t, b, `#chg-f-ids`, ids[0]+" "+ids[1])
	click(t, b, `[data-testid=chg-create-submit]`)
	waitFor(t, b, "the new notice", `document.querySelector('[data-testid=chg-item]')`)
	if s := textOf(t, b, `[data-testid=chg-console-status]`); !strings.Contains(s, "2026-11-26") {
		t.Fatalf("status after recording: %q", s)
	}
	if s := textOf(t, b, `[data-testid=chg-due]`); !strings.Contains(s, "2026-11-26") {
		t.Fatalf("due: %q", s)
	}
	check(t, b, "console-changes-authority")
	noNull(t, b, "console-changes-authority")

	actAs(t, b, p, "provider", "/console/changes")
	waitFor(t, b, "the notice", `document.querySelectorAll('[data-testid=chg-entry][data-status=pending]').length === 2`)
	eval[bool](t, b, `(document.querySelectorAll('[data-testid=chg-item] details').forEach((d) => d.open = true), true)`)
	check(t, b, "console-changes-provider")
	// Confirm the second entry needs no change.
	sel := `[data-testid=chg-entry][data-id="` + ids[1] + `"]`
	typeInto(t, b, sel+` textarea`, "该目录不涉及调整的职责")
	click(t, b, sel+` [data-testid=chg-confirm-submit]`)
	waitFor(t, b, "the confirmed entry", `document.querySelector('[data-testid=chg-entry][data-id="`+ids[1]+`"][data-status=confirmed]')`)
	eval[bool](t, b, `(document.querySelectorAll('[data-testid=chg-item] details').forEach((d) => d.open = true), true)`)
	// An extension without its policy basis is refused before it is sent.
	typeInto(t, b, `[data-testid=chg-extension-form] textarea[name=reason]`, "涉及目录较多")
	click(t, b, `[data-testid=chg-extension-submit]`)
	waitFor(t, b, "the field error", `document.querySelector('[data-testid=chg-extension-form] [data-testid=form-errors]')`)
	typeInto(t, b, `[data-testid=chg-extension-form] textarea[name=basis]`, "《某某办法》第三条")
	click(t, b, `[data-testid=chg-extension-submit]`)
	waitFor(t, b, "the request", `document.querySelector('[data-testid=chg-extension][data-status=requested]')`)
	if eval[bool](t, b, `!!document.querySelector('[data-testid=chg-extension-form]')`) {
		t.Fatal("the extension form is still offered after the one request")
	}
	noNull(t, b, "console-changes-provider")

	actAs(t, b, p, "authority", "/review/changes")
	waitFor(t, b, "the decision form", `document.querySelector('[data-testid=chg-decision-form]')`)
	click(t, b, `[data-testid=chg-decision-submit]`)
	waitFor(t, b, "the approval", `document.querySelector('[data-testid=chg-extension][data-status=approved]')`)
	// 11-23 + 3 + 5 working days.
	if s := textOf(t, b, `[data-testid=chg-due]`); !strings.Contains(s, "2026-12-03") {
		t.Fatalf("due after the extension: %q", s)
	}
	b.Do(t, "switch to English", chromedp.Navigate(p.URL+"/review/changes?lang=en"))
	waitFor(t, b, "the English page", `document.querySelector('[data-testid=chg-item]') && document.getElementById('page-title').textContent === 'Catalog change notices'`)
	noNull(t, b, "console-changes-en")
}
