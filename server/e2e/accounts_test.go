package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/mail"
	"github.com/hlj-opendata/portal/server/notify"
)

// newAccountsBrowser is a browser that prefers reduced motion: the site
// scrolls smoothly otherwise, and a click computed during a scroll misses.
func newAccountsBrowser(t testing.TB) *Browser {
	b := NewBrowser(t, 1280, 900)
	b.Do(t, "reduce motion", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
		})
		return err
	}))
	return b
}

// typeInto types text into the control matched by a CSS selector.
func typeInto(t testing.TB, b *Browser, sel, text string) {
	t.Helper()
	b.Do(t, "type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

func click(t testing.TB, b *Browser, sel string) {
	t.Helper()
	b.Do(t, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// check runs axe on the page and takes its screenshot.
func check(t testing.TB, b *Browser, name string) {
	t.Helper()
	b.CheckAccessibility(t, name)
	b.Screenshot(t, name)
}

// signInUI logs in through /login and waits for the page it leads to.
func signInUI(t testing.TB, b *Browser, base, email, password, next string) {
	t.Helper()
	b.Do(t, "open login", chromedp.Navigate(base+"/login?next="+next))
	waitFor(t, b, "login form", `document.querySelector('[data-testid=login-form]')`)
	eval[bool](t, b, `(document.querySelector('#f-email').value = '') === ''`)
	typeInto(t, b, `#f-email`, email)
	typeInto(t, b, `#f-password`, password)
	click(t, b, `[data-testid=login-form] [data-testid=submit]`)
	waitFor(t, b, "the page after login", `location.pathname === `+jsString(next))
	waitFor(t, b, "the user menu", `document.querySelector('[data-testid=user-menu-button]')`)
}

func bearerMe(t testing.TB, p *apptest.Portal, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestAccountCitizenJourney: register a citizen, log in, create an API
// token (shown once) that works as a Bearer token, read a notification,
// revoke the token, log out; /account then sends to /login.
func TestAccountCitizenJourney(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := newAccountsBrowser(t)
	const email, password = "zhang.san@example.cn", "Blue-river-lantern-58"

	b.Do(t, "open register", chromedp.Navigate(p.URL+"/register"))
	waitFor(t, b, "register form", `document.querySelector('[data-testid=register-form]')`)
	if n := eval[int](t, b, "document.querySelectorAll('h1').length"); n != 1 {
		t.Errorf("register page has %d h1", n)
	}
	// The header offers 登录 and 注册 to a visitor.
	waitFor(t, b, "visitor links", `document.querySelector('[data-nav=login]') && document.querySelector('[data-nav=register]')`)
	check(t, b, "accounts-register")

	// Empty submit: every problem inline and in the summary, focus on it.
	click(t, b, `[data-testid=register-form] [data-testid=submit]`)
	waitFor(t, b, "error summary", `document.querySelectorAll('[data-testid=form-errors] li').length >= 3`)
	if inv := eval[string](t, b, `document.querySelector('#f-email').getAttribute('aria-invalid')`); inv != "true" {
		t.Errorf("email not marked invalid: %q", inv)
	}
	if !eval[bool](t, b, `document.activeElement.classList.contains('form-summary')`) {
		t.Error("focus did not move to the error summary")
	}
	b.CheckAccessibility(t, "register (errors)")

	// Organisation: a wrong check digit is caught before the request.
	click(t, b, `[data-testid=kind-organisation]`)
	waitFor(t, b, "credit code field", `!document.querySelector('[data-field=credit_code]').hidden`)
	typeInto(t, b, `#f-credit_code`, "91230100MA1ABCDE1X")
	click(t, b, `[data-testid=register-form] [data-testid=submit]`)
	waitFor(t, b, "credit code error", `!document.querySelector('#f-credit_code-error').hidden`)
	b.Screenshot(t, "accounts-register-errors")
	click(t, b, `[data-testid=kind-citizen]`)
	waitFor(t, b, "credit code hidden", `document.querySelector('[data-field=credit_code]').hidden`)

	typeInto(t, b, `#f-name`, "张三")
	typeInto(t, b, `#f-email`, email)
	typeInto(t, b, `#f-password`, password)
	typeInto(t, b, `#f-password2`, password)
	click(t, b, `[data-testid=register-form] [data-testid=submit]`)
	waitFor(t, b, "login page after registering", `location.pathname === '/login' && document.querySelector('[data-testid=login-notice]')`)
	if got := eval[string](t, b, `document.querySelector('#f-email').value`); got != email {
		t.Errorf("login e-mail not prefilled: %q", got)
	}
	check(t, b, "accounts-login")

	// A wrong password: one message, no hint which field was wrong.
	typeInto(t, b, `#f-password`, "not-the-password-1")
	click(t, b, `[data-testid=login-form] [data-testid=submit]`)
	waitFor(t, b, "bad login message", `document.querySelector('[data-testid=form-errors]')`)
	if msg := eval[string](t, b, `document.querySelector('[data-testid=form-errors]').textContent`); !strings.Contains(msg, "邮箱或密码不正确") {
		t.Errorf("bad login message %q", msg)
	}

	signInUI(t, b, p.URL, email, password, "/account")
	if name := eval[string](t, b, `document.querySelector('[data-testid=user-menu-button]').textContent`); !strings.Contains(name, "张三") {
		t.Errorf("header shows %q, want the user's name", name)
	}
	waitFor(t, b, "profile", `document.querySelector('[data-testid=profile-email] dd')`)
	if got := eval[string](t, b, `document.querySelector('[data-testid=profile-email] dd').textContent`); got != email {
		t.Errorf("profile e-mail %q", got)
	}
	check(t, b, "accounts-profile")

	// A new account is asked to verify its address; sending again right
	// after the sign-up mail is refused with a clear message.
	waitFor(t, b, "verify banner", `document.querySelector('[data-testid=verify-email-banner]')`)
	click(t, b, `[data-testid=resend-verification]`)
	waitFor(t, b, "resend answer", `document.querySelector('[data-testid=verify-email-banner] .flash').textContent !== ''`)
	if msg := eval[string](t, b, `document.querySelector('[data-testid=verify-email-banner] .flash').textContent`); !strings.Contains(msg, "验证邮件刚刚已发送") {
		t.Errorf("resend message %q", msg)
	}
	var newID uint64
	p.DB.Table("users").Where("email = ?", email).Pluck("id", &newID)
	b.Do(t, "open verification link", chromedp.Navigate(p.URL+p.VerificationLink(t, newID)))
	waitFor(t, b, "verified", `document.querySelector('[data-testid=verify-done]') && !location.search.includes('token')`)
	check(t, b, "accounts-verified")
	b.Do(t, "back to the account", chromedp.Navigate(p.URL+"/account"))
	waitFor(t, b, "profile again", `document.querySelector('[data-testid=profile-email] dd')`)
	if eval[bool](t, b, `!!document.querySelector('[data-testid=verify-email-banner]')`) {
		t.Error("the banner stays after verifying")
	}

	// The user menu: keyboard-operable disclosure with the citizen's links.
	click(t, b, `[data-testid=user-menu-button]`)
	waitFor(t, b, "menu open", `!document.querySelector('[data-testid=user-menu]').hidden`)
	links := eval[string](t, b, `[...document.querySelectorAll('[data-testid=user-menu] a')].map(a => a.getAttribute('href')).join(' ')`)
	if links != "/account /account/notifications" {
		t.Errorf("citizen menu links %q", links)
	}
	b.Do(t, "escape", chromedp.KeyEvent("\u001b"))
	waitFor(t, b, "menu closed by Escape", `document.querySelector('[data-testid=user-menu]').hidden && document.activeElement.dataset.testid === 'user-menu-button'`)

	// API token: created, shown once with a copy button and a warning.
	b.Do(t, "open tokens", chromedp.Navigate(p.URL+"/account/tokens"))
	waitFor(t, b, "token form", `document.querySelector('[data-testid=token-form]') && document.querySelector('[data-testid=tokens-empty]')`)
	typeInto(t, b, `#f-name`, "nightly sync")
	click(t, b, `[data-testid=token-form] [data-testid=submit]`)
	waitFor(t, b, "the new token", `document.querySelector('[data-testid=new-token]') && document.querySelectorAll('[data-testid=token-row]').length === 1`)
	token := eval[string](t, b, `document.querySelector('[data-testid=new-token]').value`)
	if !strings.Contains(eval[string](t, b, `document.querySelector('[data-testid=token-created]').textContent`), "只显示这一次") {
		t.Error("no shown-once warning next to the new token")
	}
	if !eval[bool](t, b, `!!document.querySelector('[data-testid=copy-token]')`) {
		t.Error("no copy button")
	}
	row := eval[string](t, b, `document.querySelector('[data-testid=token-row]').textContent`)
	if !strings.Contains(row, "nightly sync") || !strings.Contains(row, token[:8]) || strings.Contains(row, token) {
		t.Errorf("token row %q (token %s…): want name and prefix, never the secret", row, token[:8])
	}
	check(t, b, "accounts-token-created")

	status, me := bearerMe(t, p, token)
	if status != http.StatusOK || me["email"] != email || me["auth_method"] == "cookie" {
		t.Fatalf("GET /api/v1/me with the token: %d %v", status, me)
	}

	// Shown once: after a reload the secret is nowhere on the page.
	b.Do(t, "reload tokens", chromedp.Reload())
	waitFor(t, b, "token list", `document.querySelectorAll('[data-testid=token-row]').length === 1`)
	if eval[bool](t, b, `document.body.textContent.includes(`+jsString(token)+`) || !!document.querySelector('[data-testid=new-token]')`) {
		t.Error("the token is shown again after a reload")
	}
	if used := eval[string](t, b, `document.querySelector('[data-testid=token-row] td:nth-child(5)').textContent`); used == "从未" {
		t.Error("last use not shown after the token was used")
	}

	// A notification: the header counts it, the inbox marks it read.
	uid := uint64(me["id"].(float64))
	if err := p.DB.Transaction(func(tx *gorm.DB) error {
		return p.Notify.Send(tx, notify.Notice{UserID: uid, Kind: "test.notice", Title: "您的申请已受理", Body: "申请编号 A-1。", Link: "/account"})
	}); err != nil {
		t.Fatal(err)
	}
	b.Do(t, "open inbox", chromedp.Navigate(p.URL+"/account/notifications"))
	waitFor(t, b, "the notice", `document.querySelectorAll('[data-testid=notice]').length === 1`)
	waitFor(t, b, "header unread badge", `document.querySelector('.user-menu-badge') && document.querySelector('.user-menu-badge').textContent.startsWith('1')`)
	check(t, b, "accounts-notifications")
	click(t, b, `[data-testid=mark-read]`)
	waitFor(t, b, "marked read", `!document.querySelector('[data-testid=notice].is-unread') && !document.querySelector('.user-menu-badge')`)
	var read int64
	p.DB.Raw("SELECT COUNT(*) FROM notices WHERE user_id = ? AND read_at IS NOT NULL", uid).Scan(&read)
	if read != 1 {
		t.Error("the notice is not read in the database")
	}

	// Revoke: the token stops working at once.
	b.Do(t, "open tokens", chromedp.Navigate(p.URL+"/account/tokens"))
	waitFor(t, b, "token row", `document.querySelectorAll('[data-testid=token-row]').length === 1`)
	click(t, b, `[data-testid=revoke-token]`)
	waitFor(t, b, "confirm button", `document.querySelector('[data-testid=confirm-revoke]')`)
	click(t, b, `[data-testid=confirm-revoke]`)
	waitFor(t, b, "list empty", `document.querySelector('[data-testid=tokens-empty]')`)
	if status, _ := bearerMe(t, p, token); status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", status)
	}

	// Log out from the header menu; the session is gone on the server.
	click(t, b, `[data-testid=user-menu-button]`)
	click(t, b, `[data-testid=logout]`)
	waitFor(t, b, "home, signed out", `location.pathname === '/' && document.querySelector('[data-nav=login]')`)
	b.Do(t, "open account signed out", chromedp.Navigate(p.URL+"/account"))
	waitFor(t, b, "redirect to login", `location.pathname === '/login' && new URLSearchParams(location.search).get('next') === '/account'`)
	var sessions int64
	p.DB.Raw("SELECT COUNT(*) FROM sessions WHERE user_id = ?", uid).Scan(&sessions)
	if sessions != 0 {
		t.Errorf("%d sessions left after logout", sessions)
	}
}

// TestAccountProviderDepartment: the provider signs in and sees their own
// department, and only it: in the account, in GET /api/v1/me and in the
// header menu (a console link, no review or administration).
func TestAccountProviderDepartment(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := newAccountsBrowser(t)
	signInUI(t, b, p.URL, apptest.DemoEmail("provider"), apptest.DemoPassword, "/account")
	waitFor(t, b, "department in profile", `document.querySelector('[data-testid=profile-department] dd')`)
	dept := eval[string](t, b, `document.querySelector('[data-testid=profile-department] dd').textContent`)
	if !strings.Contains(dept, seed.DemoProviderDepartment) {
		t.Errorf("profile department %q, want %s", dept, seed.DemoProviderDepartment)
	}
	got := Value(t, b, "fetch /me", chromedp.Evaluate[string](`fetch('/api/v1/me').then(r => r.json()).then(m => m.department && m.department.id)`, chromedp.EvalAwaitPromise))
	if got != seed.DemoProviderDepartment {
		t.Errorf("GET /api/v1/me department %q, want %s", got, seed.DemoProviderDepartment)
	}
	// Staff hold no personal API tokens: the side navigation has none.
	if eval[bool](t, b, `!!document.querySelector('[data-testid=side-tokens]')`) {
		t.Error("tokens page offered to a provider")
	}
	click(t, b, `[data-testid=user-menu-button]`)
	links := eval[string](t, b, `[...document.querySelectorAll('[data-testid=user-menu] a')].map(a => a.getAttribute('href')).join(' ')`)
	if links != "/account /account/notifications /console" {
		t.Errorf("provider menu links %q, want account, notifications and the console only", links)
	}
	check(t, b, "accounts-provider-menu")

	// English: the page, its side navigation and the menu switch in place.
	click(t, b, `[data-testid=user-menu-button]`)
	click(t, b, `[data-testid=lang-switch]`)
	waitFor(t, b, "English", `document.documentElement.lang === 'en' && document.querySelector('h1').textContent === 'My account' && document.querySelector('[data-testid=profile-department] dt').textContent === 'Department'`)
	if !eval[bool](t, b, `!!document.querySelector('[data-testid=user-menu-button]')`) {
		t.Error("user menu lost on the language switch")
	}
	check(t, b, "accounts-profile-english")

	// Administration pages refuse a provider (and so does the API).
	b.Do(t, "open admin", chromedp.Navigate(p.URL+"/admin/users"))
	waitFor(t, b, "forbidden", `document.querySelector('[data-testid=forbidden]')`)
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid=user-row]').length`); n != 0 {
		t.Errorf("provider sees %d user rows", n)
	}
	if st := Value(t, b, "fetch admin", chromedp.Evaluate[int](`fetch('/api/v1/admin/users').then(r => r.status)`, chromedp.EvalAwaitPromise)); st != http.StatusForbidden {
		t.Errorf("GET /api/v1/admin/users as provider: %d", st)
	}
}

// TestAccountAdminPages: the administrator finds an account, disables it,
// and adds a department.
func TestAccountAdminPages(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := newAccountsBrowser(t)
	signInUI(t, b, p.URL, apptest.DemoEmail("admin"), apptest.DemoPassword, "/admin/users")
	waitFor(t, b, "user table", `document.querySelectorAll('[data-testid=user-row]').length >= 7`)
	click(t, b, `[data-testid=user-menu-button]`)
	if links := eval[string](t, b, `[...document.querySelectorAll('[data-testid=user-menu] a')].map(a => a.getAttribute('href')).join(' ')`); !strings.Contains(links, "/admin/users") {
		t.Errorf("admin menu links %q", links)
	}
	click(t, b, `[data-testid=user-menu-button]`)
	check(t, b, "accounts-admin-users")

	typeInto(t, b, `#us-q`, "citizen@")
	click(t, b, `[data-testid=user-search-submit]`)
	waitFor(t, b, "one result", `document.querySelectorAll('[data-testid=user-row]').length === 1`)
	click(t, b, `[data-testid=edit-user]`)
	waitFor(t, b, "edit panel", `document.querySelector('[data-testid=user-edit-form]') && document.activeElement.id === 'user-edit-h'`)
	click(t, b, `#eu-disabled`)
	click(t, b, `[data-testid=user-edit-form] [data-testid=submit]`)
	waitFor(t, b, "disabled badge", `!document.querySelector('[data-testid=user-edit]') && document.querySelector('[data-testid=user-row]').textContent.includes('已停用')`)
	var disabled int64
	p.DB.Raw("SELECT COUNT(*) FROM users WHERE email = ? AND disabled_at IS NOT NULL", "citizen@demo.local").Scan(&disabled)
	if disabled != 1 {
		t.Error("citizen@demo.local not disabled in the database")
	}
	r := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": "citizen@demo.local", "password": apptest.DemoPassword}, nil)
	if r.Status != http.StatusUnauthorized {
		t.Errorf("disabled account signs in: %d", r.Status)
	}

	b.Do(t, "open departments", chromedp.Navigate(p.URL+"/admin/departments"))
	waitFor(t, b, "department table", `document.querySelectorAll('[data-testid=department-row]').length > 3 && document.querySelector('[data-testid=dept-create-form]')`)
	before := eval[int](t, b, `document.querySelectorAll('[data-testid=department-row]').length`)
	click(t, b, `[data-testid=dept-create] summary`)
	typeInto(t, b, `#nd-id`, "hrb-test-bureau")
	typeInto(t, b, `#nd-name`, "哈尔滨市测试局")
	typeInto(t, b, `#nd-region`, "哈尔滨市")
	click(t, b, `[data-testid=dept-create-form] [data-testid=submit]`)
	waitFor(t, b, "new department listed", `document.querySelectorAll('[data-testid=department-row]').length === `+itoa(before+1))
	var n int64
	p.DB.Raw("SELECT COUNT(*) FROM departments WHERE id = ? AND name = ?", "hrb-test-bureau", "哈尔滨市测试局").Scan(&n)
	if n != 1 {
		t.Error("department not created")
	}
	// A taken id comes back as an inline field error.
	typeInto(t, b, `#nd-id`, "hrb-test-bureau")
	typeInto(t, b, `#nd-name`, "重复")
	typeInto(t, b, `#nd-region`, "哈尔滨市")
	click(t, b, `[data-testid=dept-create-form] [data-testid=submit]`)
	waitFor(t, b, "id conflict inline", `!document.querySelector('#nd-id-error').hidden`)
	check(t, b, "accounts-admin-departments")
}

// mailbox keeps the mails the portal sends.
type mailbox struct {
	mu   sync.Mutex
	msgs []mail.Message
}

func (m *mailbox) Send(_ context.Context, msg mail.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, msg)
	return nil
}

func (m *mailbox) last() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.msgs) == 0 {
		return ""
	}
	return m.msgs[len(m.msgs)-1].Body
}

// TestAccountPasswordResetAndOrganisation: an organisation's administrator
// invites a colleague; the colleague sets a password from the mailed link
// (the reset page), and logs in. On a phone-sized screen.
func TestAccountPasswordResetAndOrganisation(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	box := &mailbox{}
	p.Accounts.Mail = box
	b := newAccountsBrowser(t)
	b.Do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))

	signInUI(t, b, p.URL, apptest.DemoEmail("organisation"), apptest.DemoPassword, "/account/organisation")
	waitFor(t, b, "members", `document.querySelectorAll('[data-testid=member-row]').length >= 1 && document.querySelector('[data-testid=member-form]')`)
	if w := eval[int](t, b, "document.documentElement.scrollWidth"); w > 400 {
		t.Errorf("organisation page scrolls sideways on a phone: %d px", w)
	}
	check(t, b, "accounts-organisation-phone")
	click(t, b, `[data-testid=menu-toggle]`) // on a phone the navigation opens first
	click(t, b, `[data-testid=user-menu-button]`)
	waitFor(t, b, "menu open", `!document.querySelector('[data-testid=user-menu]').hidden`)
	if w := eval[int](t, b, "document.documentElement.scrollWidth"); w > 400 {
		t.Errorf("open user menu overflows a phone: %d px", w)
	}
	b.Screenshot(t, "accounts-menu-phone")
	click(t, b, `[data-testid=user-menu-button]`)

	typeInto(t, b, `#f-email`, "li.si@example.cn")
	typeInto(t, b, `#f-name`, "李四")
	click(t, b, `[data-testid=member-form] [data-testid=submit]`)
	waitFor(t, b, "invited", `document.querySelectorAll('[data-testid=member-row]').length >= 2 && document.querySelector('[data-testid=member-status]').textContent.includes('li.si@example.cn')`)
	body := box.last()
	i := strings.Index(body, "/reset-password?token=")
	if i < 0 {
		t.Fatalf("no invitation link in the mail: %q", body)
	}
	link := body[i:]
	if j := strings.IndexAny(link, " \n\r"); j >= 0 {
		link = link[:j]
	}

	click(t, b, `[data-testid=user-menu-button]`)
	click(t, b, `[data-testid=logout]`)
	waitFor(t, b, "signed out", `location.pathname === '/' && document.querySelector('[data-nav=login]')`)

	b.Do(t, "open the invitation link", chromedp.Navigate(p.URL+link))
	waitFor(t, b, "reset form", `document.querySelector('[data-testid=reset-form]')`)
	if eval[bool](t, b, `location.search.includes('token')`) {
		t.Error("the token stays in the address bar")
	}
	check(t, b, "accounts-reset-phone")
	const pw = "Quiet-harbour-lamp-73"
	typeInto(t, b, `#f-password`, pw)
	typeInto(t, b, `#f-password2`, pw)
	click(t, b, `[data-testid=reset-form] [data-testid=submit]`)
	waitFor(t, b, "login after reset", `location.pathname === '/login' && document.querySelector('[data-testid=login-notice]')`)
	signInUI(t, b, p.URL, "li.si@example.cn", pw, "/account")
	waitFor(t, b, "organisation in profile", `document.querySelector('[data-testid=profile-organisation] dd')`)
	if w := eval[int](t, b, "document.documentElement.scrollWidth"); w > 400 {
		t.Errorf("account page scrolls sideways on a phone: %d px", w)
	}
	check(t, b, "accounts-profile-phone")

	// A token on a phone: the shown-once panel fits the screen.
	b.Do(t, "open tokens", chromedp.Navigate(p.URL+"/account/tokens"))
	waitFor(t, b, "token form", `document.querySelector('[data-testid=token-form]') && document.querySelector('[data-testid=tokens-empty]')`)
	typeInto(t, b, `#f-name`, "手机")
	click(t, b, `[data-testid=token-form] [data-testid=submit]`)
	waitFor(t, b, "the new token", `document.querySelector('[data-testid=new-token]') && document.querySelectorAll('[data-testid=token-row]').length === 1`)
	if w := eval[int](t, b, "document.documentElement.scrollWidth"); w > 400 {
		t.Errorf("tokens page scrolls sideways on a phone: %d px", w)
	}
	check(t, b, "accounts-token-phone")

	// The link worked once.
	b.Do(t, "open the used link", chromedp.Navigate(p.URL+link))
	waitFor(t, b, "reset form", `document.querySelector('[data-testid=reset-form]')`)
	typeInto(t, b, `#f-password`, pw+"x")
	typeInto(t, b, `#f-password2`, pw+"x")
	click(t, b, `[data-testid=reset-form] [data-testid=submit]`)
	waitFor(t, b, "used link refused", `document.querySelector('[data-testid=form-errors]') && document.querySelector('[data-testid=form-errors]').textContent.includes('链接无效')`)

	// Forgot password: the page answers the same for any address.
	b.Do(t, "open forgot", chromedp.Navigate(p.URL+"/forgot-password"))
	waitFor(t, b, "forgot form", `document.querySelector('[data-testid=forgot-form]')`)
	typeInto(t, b, `#f-email`, "nobody@example.cn")
	click(t, b, `[data-testid=forgot-form] [data-testid=submit]`)
	waitFor(t, b, "sent notice", `document.querySelector('[data-testid=reset-sent]')`)
	check(t, b, "accounts-forgot-phone")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
