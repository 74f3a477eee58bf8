package mail_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	portalmail "github.com/hlj-opendata/portal/server/mail"
)

// smtpServer is a small SMTP server speaking the real protocol over TCP:
// EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, QUIT.
type smtpServer struct {
	smtpConfig
	ln net.Listener

	mu         sync.Mutex
	commands   []string // verbs in order ("EHLO", "STARTTLS", …)
	authedUser string
	tlsUsed    bool
	from, to   string
	data       string
	done       chan struct{}
}

func startSMTP(t *testing.T, cfg smtpConfig) *smtpServer {
	t.Helper()
	s := &smtpServer{smtpConfig: cfg}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln, s.done = ln, make(chan struct{})
	go func() {
		defer close(s.done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		s.serve(conn)
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpServer) record(verb string) {
	s.mu.Lock()
	s.commands = append(s.commands, verb)
	s.mu.Unlock()
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
	reply := func(lines ...string) {
		for _, l := range lines {
			w.WriteString(l + "\r\n")
		}
		w.Flush()
	}
	reply("220 test.local ESMTP ready")
	authed := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.record(verb)
		switch verb {
		case "EHLO":
			ext := []string{"250-test.local"}
			s.mu.Lock()
			inTLS := s.tlsUsed
			s.mu.Unlock()
			if s.tls != nil && !inTLS {
				ext = append(ext, "250-STARTTLS")
			}
			if s.user != "" {
				ext = append(ext, "250-AUTH PLAIN")
			}
			ext = append(ext, "250 8BITMIME")
			reply(ext...)
		case "STARTTLS":
			reply("220 go ahead")
			tc := tls.Server(conn, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn = tc
			r, w = bufio.NewReader(tc), bufio.NewWriter(tc)
			s.mu.Lock()
			s.tlsUsed = true
			s.mu.Unlock()
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if mech != "PLAIN" {
				reply("504 unrecognised mechanism")
				continue
			}
			raw, _ := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if len(parts) == 3 && parts[1] == s.user && parts[2] == s.pass {
				authed = true
				s.mu.Lock()
				s.authedUser = parts[1]
				s.mu.Unlock()
				reply("235 authenticated")
			} else {
				reply("535 bad credentials")
			}
		case "MAIL":
			if s.user != "" && !authed {
				reply("530 authentication required")
				continue
			}
			s.mu.Lock()
			s.from = arg
			s.mu.Unlock()
			reply("250 ok")
		case "RCPT":
			if s.rejectTo != "" && strings.Contains(arg, s.rejectTo) {
				reply("550 no such user")
				continue
			}
			s.mu.Lock()
			s.to = arg
			s.mu.Unlock()
			reply("250 ok")
		case "DATA":
			reply("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				l = strings.TrimPrefix(l, ".") // dot-stuffing
				b.WriteString(l)
			}
			s.mu.Lock()
			s.data = b.String()
			s.mu.Unlock()
			reply("250 queued")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

// smtpConfig is what a test case sets.
type smtpConfig struct {
	tls      *tls.Config // nil: no STARTTLS offered
	user     string      // "": AUTH not offered
	pass     string
	rejectTo string
}

// testCert makes a self-signed certificate for 127.0.0.1.
func testCert(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

func TestSMTPConversation(t *testing.T) {
	serverTLS, roots := testCert(t)
	msg := portalmail.Message{
		To:      "张三 <zhangsan@example.cn>",
		Subject: "重置密码 — 黑龙江省公共数据开放平台",
		Body:    "您好：\n请打开以下链接重置密码：\nhttps://data.example/reset?token=abc\n.a line starting with a dot\n",
	}
	tests := []struct {
		name      string
		server    smtpConfig
		url       string
		wantErr   string
		wantVerbs []string
		wantTLS   bool
		wantUser  string
	}{
		{
			name:      "plain, no auth",
			url:       "smtp://%s?from=noreply@data.example",
			wantVerbs: []string{"EHLO", "MAIL", "RCPT", "DATA", "QUIT"},
		},
		{
			name:      "starttls then auth",
			server:    smtpConfig{tls: serverTLS, user: "portal", pass: "s3cret pass"},
			url:       "smtp://portal:s3cret%20pass@%s?from=noreply@data.example",
			wantVerbs: []string{"EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"},
			wantTLS:   true,
			wantUser:  "portal",
		},
		{
			name:    "wrong password",
			server:  smtpConfig{tls: serverTLS, user: "portal", pass: "right"},
			url:     "smtp://portal:wrong@%s?from=noreply@data.example",
			wantErr: "AUTH",
		},
		{
			name:    "credentials but no AUTH offered",
			url:     "smtp://portal:x@%s?from=noreply@data.example",
			wantErr: "does not offer AUTH",
		},
		{
			name:    "recipient refused",
			server:  smtpConfig{rejectTo: "zhangsan"},
			url:     "smtp://%s?from=noreply@data.example",
			wantErr: "RCPT",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSMTP(t, tc.server)
			s, err := portalmail.Parse(strings.Replace(tc.url, "%s", srv.ln.Addr().String(), 1))
			if err != nil {
				t.Fatal(err)
			}
			s.TLSConfig = &tls.Config{RootCAs: roots}
			err = s.Send(context.Background(), msg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			<-srv.done
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if got := strings.Join(srv.commands, " "); got != strings.Join(tc.wantVerbs, " ") {
				t.Errorf("conversation = %s, want %s", got, strings.Join(tc.wantVerbs, " "))
			}
			if srv.tlsUsed != tc.wantTLS || srv.authedUser != tc.wantUser {
				t.Errorf("tls=%v user=%q, want tls=%v user=%q", srv.tlsUsed, srv.authedUser, tc.wantTLS, tc.wantUser)
			}
			if !strings.HasPrefix(srv.from, "FROM:<noreply@data.example>") || !strings.Contains(srv.to, "<zhangsan@example.cn>") {
				t.Errorf("envelope from %q to %q", srv.from, srv.to)
			}
			parsed, err := mail.ReadMessage(strings.NewReader(srv.data))
			if err != nil {
				t.Fatalf("message does not parse: %v\n%s", err, srv.data)
			}
			subj, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
			if err != nil || subj != msg.Subject {
				t.Errorf("subject = %q (%v), want %q", subj, err, msg.Subject)
			}
			body, _ := io.ReadAll(quotedprintable.NewReader(parsed.Body))
			want := strings.ReplaceAll(msg.Body, "\n", "\r\n") + "\r\n"
			if string(body) != want {
				t.Errorf("body = %q, want %q", body, want)
			}
			if parsed.Header.Get("Message-ID") == "" || parsed.Header.Get("Date") == "" {
				t.Errorf("missing Message-ID or Date: %v", parsed.Header)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		url, addr, from string
		implicit        bool
		bad             bool
	}{
		{url: "smtp://mail.example.cn", addr: "mail.example.cn:587", from: "noreply@mail.example.cn"},
		{url: "smtps://u:p@mail.example.cn?from=portal@example.cn", addr: "mail.example.cn:465", from: "portal@example.cn", implicit: true},
		{url: "smtp://mail.example.cn:2525?from=not-an-address", bad: true},
		{url: "http://mail.example.cn", bad: true},
	}
	for _, tc := range tests {
		s, err := portalmail.Parse(tc.url)
		if tc.bad {
			if err == nil {
				t.Errorf("%s: want an error", tc.url)
			}
			continue
		}
		if err != nil || s.Addr != tc.addr || s.From != tc.from || s.Implicit != tc.implicit {
			t.Errorf("%s: got %+v, %v", tc.url, s, err)
		}
	}
	if s, err := portalmail.New("", nil); err != nil || s.Send(context.Background(), portalmail.Message{}) != portalmail.ErrNotConfigured {
		t.Errorf("empty URL: want Disabled, got %T %v", s, err)
	}
}
