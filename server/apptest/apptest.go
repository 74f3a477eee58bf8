// Package apptest starts a real portal for tests: a fresh database per
// test (SQLite in a temp dir, or a new MariaDB/MySQL database when
// PORTAL_TEST_MYSQL_DSN is set), the real HTTP stack on a loopback port.
package apptest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	_ "github.com/go-sql-driver/mysql"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/store"
	"gorm.io/gorm"
)

// Engines lists the database engines tests must cover. MySQL is included
// when PORTAL_TEST_MYSQL_DSN is set; in CI (CI=true) it must be set.
func Engines(t testing.TB) []string {
	if MySQLBase(t) == "" {
		return []string{"sqlite"}
	}
	return []string{"sqlite", "mysql"}
}

// MySQLBase returns PORTAL_TEST_MYSQL_DSN (mysql://user:pass@host:port/),
// failing the test in CI when it is missing so MySQL coverage never
// silently disappears.
func MySQLBase(t testing.TB) string {
	v := os.Getenv("PORTAL_TEST_MYSQL_DSN")
	if v == "" && os.Getenv("CI") != "" {
		t.Fatal("PORTAL_TEST_MYSQL_DSN must be set in CI: the store tests must run on MariaDB/MySQL")
	}
	return v
}

// Options shape the portal under test.
type Options struct {
	Engine string // "sqlite" (default) or "mysql"
	// Seed: "" loads nothing, "small" the first SmallCount demo datasets
	// (every department and topic), "demo" the whole demo catalog.
	Seed string
	Now  func() time.Time
	Env  map[string]string // extra PORTAL_* settings
	// WrapIndex wraps the search index, e.g. to make it fail.
	WrapIndex func(search.Index) search.Index
	// NoWorkers leaves the background workers stopped; the test drives
	// them (p.Outbox.Drain) with its own clock.
	NoWorkers bool
}

// SmallCount is how many demo datasets the "small" seed loads.
const SmallCount = 60

// Portal is a running portal under test.
type Portal struct {
	*app.App
	URL    string
	Server *httptest.Server
	Client *http.Client
}

// New starts a portal and stops it when the test ends.
func New(t testing.TB, o Options) *Portal {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"PORTAL_DATA_DIR": dir, "PORTAL_SEED": "none", "PORTAL_LOG_LEVEL": "error", "PORTAL_DEMO_PASSWORD": DemoPassword}
	if o.Engine == "mysql" {
		env["PORTAL_DB_DSN"] = NewMySQLDatabase(t)
	}
	for k, v := range o.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.Open(cfg, log, app.Options{Now: o.Now, WrapIndex: o.WrapIndex})
	if err != nil {
		t.Fatalf("open portal: %v", err)
	}
	ctx := context.Background()
	switch o.Seed {
	case "":
	case "demo":
		a.Config.Seed = "demo"
		if _, err := a.SeedIfEmpty(ctx, nil); err != nil {
			t.Fatalf("seed: %v", err)
		}
	case "small":
		cat := seed.Demo()
		cat.Datasets = cat.Datasets[:SmallCount]
		a.Config.Seed = "demo" // demo data: the footer says so
		if err := a.Catalog.LoadCatalog(ctx, cat, nil); err != nil {
			t.Fatalf("seed: %v", err)
		}
		if err := a.Catalog.Reindex(ctx, nil); err != nil {
			t.Fatalf("index: %v", err)
		}
		if _, err := a.SeedDemoAccounts(ctx, nil); err != nil {
			t.Fatalf("demo accounts: %v", err)
		}
	default:
		t.Fatalf("unknown seed %q", o.Seed)
	}
	srv := httptest.NewServer(a.Handler())
	if !o.NoWorkers {
		a.Start()
	}
	p := &Portal{App: a, URL: srv.URL, Server: srv, Client: srv.Client()}
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return p
}

// NewMySQLDatabase creates an empty database on the test server, dropped
// when the test ends, and returns its mysql:// DSN.
func NewMySQLDatabase(t testing.TB) string {
	t.Helper()
	base := MySQLBase(t)
	if base == "" {
		t.Skip("PORTAL_TEST_MYSQL_DSN not set: MySQL variant runs in CI")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("PORTAL_TEST_MYSQL_DSN: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "portal_test_" + hex.EncodeToString(b[:])
	u.Path = "/mysql"
	admin, err := config.MySQLConn(u.String())
	if err != nil {
		t.Fatalf("PORTAL_TEST_MYSQL_DSN: %v", err)
	}
	db, err := sql.Open("mysql", admin)
	if err != nil {
		t.Fatalf("mysql: %v", err)
	}
	if _, err := db.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db.Exec("DROP DATABASE IF EXISTS " + name)
		db.Close()
	})
	u.Path = "/" + name
	return u.String()
}

// Response is a decoded HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %q: %v", truncate(string(r.Body)), err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends a request to the portal.
func (p *Portal) Do(t testing.TB, method, path string, body io.Reader, header map[string]string) *Response {
	t.Helper()
	req, err := http.NewRequest(method, p.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Get is Do with GET.
func (p *Portal) Get(t testing.TB, path string) *Response {
	t.Helper()
	return p.Do(t, http.MethodGet, path, nil, nil)
}

// PostJSON sends a JSON body.
func (p *Portal) PostJSON(t testing.TB, path string, v any, header map[string]string) *Response {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	return p.Do(t, http.MethodPost, path, strings.NewReader(string(b)), h)
}

// ErrorCode returns error.code of an error body, "" when absent.
func (r *Response) ErrorCode(t testing.TB) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	r.JSON(t, &e)
	return e.Error.Code
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// OpenDB opens a fresh, empty, unmigrated database on engine.
func OpenDB(t testing.TB, engine string) *gorm.DB {
	t.Helper()
	env := map[string]string{"PORTAL_DATA_DIR": t.TempDir()}
	if engine == "mysql" {
		env["PORTAL_DB_DSN"] = NewMySQLDatabase(t)
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(db) })
	return db
}

// MigratedDB opens a fresh database on engine (as OpenDB) and applies
// migrations.
func MigratedDB(t testing.TB, engine string, migrations []*gormigrate.Migration) *gorm.DB {
	t.Helper()
	db := OpenDB(t, engine)
	if err := store.Migrate(db, migrations); err != nil {
		t.Fatal(err)
	}
	return db
}

// DemoPassword is the password of the demo accounts in tests (Seed "demo"
// and "small" create one account per role, see DemoEmail).
const DemoPassword = "test-Demo-passphrase-42"

// Roles of the demo accounts, anonymous excluded.
var DemoRoles = []string{"citizen", "organisation", "provider", "provider2", "authority", "province", "admin"}

// DemoEmail is the demo account of a role; "provider2" is the provider of
// a second department, "org" short for "organisation".
func DemoEmail(role string) string {
	if role == "organisation" {
		role = "org"
	}
	return role + "@demo.local"
}

// Session is a signed-in browser: its cookie and CSRF token.
type Session struct {
	Email  string
	Cookie string // portal_session value
	CSRF   string
}

// Header returns the Cookie and X-CSRF-Token headers of s, plus extra
// (a nil *Session gives just extra: an anonymous request).
func (s *Session) Header(extra ...string) map[string]string {
	h := map[string]string{}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	if s != nil {
		h["Cookie"] = "portal_session=" + s.Cookie
		h["X-CSRF-Token"] = s.CSRF
	}
	return h
}

// SignIn logs in with e-mail and password and fails the test otherwise.
func (p *Portal) SignIn(t testing.TB, email, password string) *Session {
	t.Helper()
	r := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": email, "password": password}, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("sign in as %s: %d %s", email, r.Status, truncate(string(r.Body)))
	}
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	r.JSON(t, &body)
	s := &Session{Email: email, CSRF: body.CSRF}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "portal_session" {
			s.Cookie = c.Value
		}
	}
	if s.Cookie == "" || s.CSRF == "" {
		t.Fatalf("sign in as %s: no session cookie or CSRF token", email)
	}
	return s
}

// SignInAs signs in as the demo account of role (see DemoRoles).
func (p *Portal) SignInAs(t testing.TB, role string) *Session {
	t.Helper()
	return p.SignIn(t, DemoEmail(role), DemoPassword)
}

// Bearer returns the Authorization header of an API token.
func Bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// Replica starts a second portal on the same database (its own data
// folder and search index), like another replica behind a load balancer.
// Its background workers do not run: the test polls (Policy.Refresh).
func (p *Portal) Replica(t testing.TB) *Portal {
	t.Helper()
	cfg := p.Config
	cfg.DataDir = t.TempDir()
	a, err := app.Open(cfg, p.Log, app.Options{Now: p.Now})
	if err != nil {
		t.Fatalf("open replica: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Portal{App: a, URL: srv.URL, Server: srv, Client: srv.Client()}
}
