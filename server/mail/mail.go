// Package mail sends the portal's few e-mails (password reset, member
// invitations) over SMTP. PORTAL_SMTP_URL configures it:
//
//	smtp://user:pass@host:587?from=noreply@example.gov.cn   STARTTLS when the server offers it
//	smtps://user:pass@host:465?from=…                       TLS from the first byte
//
// Credentials are only sent over TLS (or to localhost), as net/smtp's
// PLAIN auth insists. Without PORTAL_SMTP_URL the portal logs that mail is
// not configured and sends nothing.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Message is one plain-text e-mail.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrNotConfigured is returned by Disabled.
var ErrNotConfigured = errors.New("mail: not configured (set PORTAL_SMTP_URL)")

// Disabled is the Sender used without PORTAL_SMTP_URL: it logs that a
// message was not sent (never its body, which may hold a reset link).
type Disabled struct{ Log *slog.Logger }

// Send logs and returns ErrNotConfigured.
func (d Disabled) Send(ctx context.Context, m Message) error {
	if d.Log != nil {
		d.Log.Warn("mail is not configured (PORTAL_SMTP_URL): message not sent", "subject", m.Subject)
	}
	return ErrNotConfigured
}

// SMTP is a Sender speaking SMTP to one server.
type SMTP struct {
	Addr      string // host:port
	Host      string // server name for TLS and PLAIN auth
	From      string // envelope and header sender
	Username  string
	Password  string
	Implicit  bool        // smtps: TLS from the first byte
	TLSConfig *tls.Config // nil: system roots, ServerName = Host
	Timeout   time.Duration
	Hostname  string // sent in EHLO; "localhost" when empty
}

// New returns the Sender for PORTAL_SMTP_URL, or Disabled when it is empty.
func New(rawURL string, log *slog.Logger) (Sender, error) {
	if rawURL == "" {
		return Disabled{Log: log}, nil
	}
	return Parse(rawURL)
}

// Parse reads smtp:// or smtps:// URLs.
func Parse(rawURL string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("mail: want smtp://user:pass@host:port?from=addr")
	}
	s := &SMTP{Host: u.Hostname(), Implicit: u.Scheme == "smtps", Timeout: 30 * time.Second}
	port := u.Port()
	if port == "" {
		port = map[bool]string{true: "465", false: "587"}[s.Implicit]
	}
	s.Addr = net.JoinHostPort(s.Host, port)
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	s.From = u.Query().Get("from")
	if s.From == "" {
		s.From = "noreply@" + s.Host
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return nil, fmt.Errorf("mail: from=%q is not an address", s.From)
	}
	return s, nil
}

// Send delivers m: EHLO, STARTTLS when offered, AUTH when credentials are
// set, MAIL, RCPT, DATA, QUIT.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("mail: bad recipient %q: %w", m.To, err)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("mail: connect %s: %w", s.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	tlsConf := s.tlsConfig()
	if s.Implicit {
		conn = tls.Client(conn, tlsConf)
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: greeting from %s: %w", s.Addr, err)
	}
	defer c.Close()
	hostname := s.Hostname
	if hostname == "" {
		hostname = "localhost"
	}
	if err := c.Hello(hostname); err != nil {
		return fmt.Errorf("mail: EHLO: %w", err)
	}
	if !s.Implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConf); err != nil {
				return fmt.Errorf("mail: STARTTLS: %w", err)
			}
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("mail: server does not offer AUTH but credentials are configured")
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("mail: AUTH: %w", err)
		}
	}
	from, _ := mail.ParseAddress(s.From)
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(s.render(from, to, m)); err != nil {
		return fmt.Errorf("mail: write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: message refused: %w", err)
	}
	return c.Quit()
}

func (s *SMTP) tlsConfig() *tls.Config {
	if s.TLSConfig != nil {
		c := s.TLSConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = s.Host
		}
		return c
	}
	return &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
}

// render builds the RFC 5322 message: UTF-8 subject encoded per RFC 2047,
// quoted-printable UTF-8 body with CRLF line ends.
func (s *SMTP) render(from, to *mail.Address, m Message) []byte {
	var b bytes.Buffer
	var id [12]byte
	_, _ = rand.Read(id[:])
	domain := s.Host
	if i := strings.LastIndexByte(from.Address, '@'); i >= 0 {
		domain = from.Address[i+1:]
	}
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", from.String())
	hdr("To", to.String())
	hdr("Subject", mime.BEncoding.Encode("utf-8", m.Subject))
	hdr("Date", time.Now().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	_, _ = qp.Write([]byte(body))
	_ = qp.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}

var _ Sender = (*SMTP)(nil)
var _ Sender = Disabled{}
