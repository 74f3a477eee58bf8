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
func portal(t *testing.T, engine, seed string) (*apptest.Portal, *apptest.Clock, *outbox) {
	t.Helper()
	clk := apptest.NewClock(time.Now().UTC().Truncate(time.Second))
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
