package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// TestExpiredStaffPassword: a provider whose password is 91 days old
// (000 Art 38, 90 days) signs in on its way to the console and lands on
// the password form with the explanation; the console API refuses it
// meanwhile. After the change the page offers everything again and the
// API answers.
func TestExpiredStaffPassword(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2026-03-02 10:00"))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	clk.Set(apptest.CST("2026-06-01 10:00")) // day 91
	b := newAccountsBrowser(t)
	b.Do(t, "open login", chromedp.Navigate(p.URL+"/login?next=/console"))
	waitFor(t, b, "login form", `document.querySelector('[data-testid=login-form]')`)
	typeInto(t, b, `#f-email`, apptest.DemoEmail("provider"))
	typeInto(t, b, `#f-password`, apptest.DemoPassword)
	click(t, b, `[data-testid=login-form] [data-testid=submit]`)
	waitFor(t, b, "the password form with the explanation", `location.pathname === '/account' && document.querySelector('[data-testid=password-expired]') && document.querySelector('[data-testid=password-form]')`)
	if eval[bool](t, b, `!!document.querySelector('[data-testid=name-form]')`) {
		t.Error("the name form is offered while the password has expired")
	}
	if id := eval[string](t, b, `document.activeElement && document.activeElement.id`); id != "f-current_password" {
		t.Errorf("focus on %q, want the current password", id)
	}
	check(t, b, "accounts-password-expired")
	status := func() int {
		return Value(t, b, "fetch the console API", chromedp.Evaluate[int](`fetch('/api/v1/revocations').then(r => r.status)`, chromedp.EvalAwaitPromise))
	}
	if st := status(); st != http.StatusForbidden {
		t.Errorf("console API with the expired password: %d, want 403", st)
	}

	typeInto(t, b, `#f-current_password`, apptest.DemoPassword)
	typeInto(t, b, `#f-new_password`, "Renewed-Passphrase-2026")
	typeInto(t, b, `#f-new_password2`, "Renewed-Passphrase-2026")
	click(t, b, `[data-testid=password-form] [data-testid=submit]`)
	waitFor(t, b, "the page without the block", `!document.querySelector('[data-testid=password-expired]') && document.querySelector('[data-testid=name-form]') && document.querySelector('[data-testid=password-form] .flash-ok')`)
	if st := status(); st != http.StatusOK {
		t.Errorf("console API after the change: %d, want 200", st)
	}
}
