package e2e

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// TestAPIAnswersInThePagesLanguage: api.js asks the server for the page's
// language (Accept-Language from <html lang>), not the browser's. The
// browser here asks for Chinese; an English page (?lang=en, no cookie)
// still gets English messages, and a Chinese page Chinese ones.
func TestAPIAnswersInThePagesLanguage(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := NewBrowser(t, 1280, 900)
	// A failed sign-in through api.js, once the page has loaded.
	const signIn = `new Promise(r => document.readyState === 'complete' ? r() : addEventListener('load', r))
	  .then(() => { document.cookie = 'lang=; path=/; max-age=0'; return import('/static/js/api.js'); })
	  .then(api => api.apiPost('/auth/login', {email: 'nobody@example.cn', password: 'not-the-password'}, {noCsrf: true})
	    .then(() => ({lang: document.documentElement.lang, message: 'signed in?'}),
	          e => ({lang: document.documentElement.lang, status: e.status, message: e.message, cookie: document.cookie})))
	  .then(JSON.stringify)`
	cases := []struct{ url, lang, message string }{
		{"/developers?lang=en", "en", "wrong e-mail address or password"},
		{"/developers?lang=zh", "zh-CN", "邮箱或密码不正确"},
	}
	for _, c := range cases {
		b.Do(t, "open "+c.url, chromedp.Navigate(p.URL+c.url))
		raw := Value(t, b, "sign in from "+c.url, chromedp.Evaluate[string](signIn, chromedp.EvalAwaitPromise))
		var got struct {
			Lang, Message, Cookie string
			Status                int
		}
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("%s: %v: %s", c.url, err, raw)
		}
		if got.Cookie != "" {
			t.Fatalf("%s: the lang cookie is still set: %q", c.url, got.Cookie)
		}
		if got.Lang != c.lang || got.Status != 401 || got.Message != c.message {
			t.Errorf("%s: page %q, %d %q; want page %q, 401 %q", c.url, got.Lang, got.Status, got.Message, c.lang, c.message)
		}
	}
}
