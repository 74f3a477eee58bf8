package accounts_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/mail"
)

// clock is the injected clock tests move forward; nothing sleeps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// outbox captures the mail the portal sends.
type outbox struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (o *outbox) Send(_ context.Context, m mail.Message) error {
	o.mu.Lock()
	o.sent = append(o.sent, m)
	o.mu.Unlock()
	return nil
}

func (o *outbox) messages() []mail.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]mail.Message(nil), o.sent...)
}

// tokenIn pulls the token out of a reset or invitation link.
func tokenIn(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, "token=")
	if i < 0 {
		t.Fatalf("no link in %q", body)
	}
	tok := body[i+len("token="):]
	if j := strings.IndexAny(tok, " \n\r"); j >= 0 {
		tok = tok[:j]
	}
	return tok
}

// portal starts a portal with the injected clock and a captured mailbox.
func portal(t *testing.T, engine, seed string) (*apptest.Portal, *clock, *outbox) {
	t.Helper()
	clk := newClock()
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: seed, Now: clk.Now})
	box := &outbox{}
	p.Accounts.Mail = box
	return p, clk, box
}

const goodPassword = "correct-Horse-battery-staple"

func register(t *testing.T, p *apptest.Portal, email, kind, credit string) *apptest.Response {
	t.Helper()
	body := map[string]string{"email": email, "password": goodPassword, "name": "测试用户", "kind": kind}
	if credit != "" {
		body["credit_code"] = credit
	}
	return p.PostJSON(t, "/api/v1/auth/register", body, nil)
}
