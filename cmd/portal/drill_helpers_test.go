package main

// Shared helpers of the fault drills (drill_*_test.go): a private MariaDB
// server that a test may stop and start, a small tmpfs, a seeded data
// folder, and a plain HTTP client. They never touch the shared MariaDB
// of the other tests.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/config"
)

// drillDemoPassword is the demo accounts' password in drills.
const drillDemoPassword = "drill-Demo-passphrase-42"

// drillInCI reports whether the drills must run (CI=true): a missing tool
// or privilege fails the test there instead of skipping it.
func drillInCI() bool { return os.Getenv("CI") != "" }

// drillMariaDB is a MariaDB server of one test, in its own folder and on
// its own port, which the test may stop and start again.
type drillMariaDB struct {
	t       *testing.T
	bin     string
	dir     string
	Port    int
	cmd     *exec.Cmd
	done    chan struct{}
	logFile string
}

// startDrillMariaDB installs and starts a private mariadbd. Without
// mariadbd the test is skipped, except in CI where it fails.
func startDrillMariaDB(t *testing.T) *drillMariaDB {
	t.Helper()
	bin := drillLookPath("mariadbd")
	install := drillLookPath("mariadb-install-db")
	if bin == "" || install == "" {
		if drillInCI() {
			t.Fatal("mariadbd and mariadb-install-db are needed for the database drill in CI")
		}
		t.Skip("mariadbd not installed")
	}
	dir := t.TempDir()
	m := &drillMariaDB{t: t, bin: bin, dir: dir, logFile: filepath.Join(dir, "mariadbd.log")}
	args := []string{"--no-defaults", "--datadir=" + filepath.Join(dir, "data"), "--auth-root-authentication-method=normal", "--skip-test-db"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	if out, err := exec.Command(install, args...).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	m.Port = drillFreePort(t)
	t.Cleanup(func() {
		if m.running() {
			_ = m.cmd.Process.Kill()
			<-m.done
		}
	})
	m.Start()
	return m
}

func drillLookPath(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/usr/local/sbin", "/usr/bin"} {
		if p := filepath.Join(d, name); drillFileExists(p) {
			return p
		}
	}
	return ""
}

func drillFileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// drillFreePort returns a TCP port nothing listens on right now.
func drillFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (m *drillMariaDB) running() bool {
	if m.done == nil {
		return false
	}
	select {
	case <-m.done:
		return false
	default:
		return true
	}
}

// Start starts the server (again) on the same folder and port and waits
// until it answers.
func (m *drillMariaDB) Start() {
	t := m.t
	t.Helper()
	logf, err := os.OpenFile(m.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--no-defaults", "--datadir=" + filepath.Join(m.dir, "data"), fmt.Sprintf("--port=%d", m.Port),
		"--socket=" + filepath.Join(m.dir, "s.sock"), "--bind-address=127.0.0.1", "--pid-file=" + filepath.Join(m.dir, "pid"),
		"--skip-log-bin", "--skip-name-resolve", "--innodb-buffer-pool-size=32M", "--max-connections=300"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	cmd := exec.Command(m.bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start mariadbd: %v", err)
	}
	m.cmd, m.done = cmd, make(chan struct{})
	done := m.done
	go func() {
		cmd.Wait()
		logf.Close()
		close(done)
	}()
	db, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/?timeout=2s", m.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return
		}
		if !m.running() {
			t.Fatalf("mariadbd exited at start:\n%s", m.Log())
		}
		if time.Now().After(deadline) {
			t.Fatalf("mariadbd does not answer after 60 s: %v\n%s", err, m.Log())
		}
	}
}

// Stop stops the server with SIGTERM and waits until it has exited.
func (m *drillMariaDB) Stop() {
	t := m.t
	t.Helper()
	if !m.running() {
		return
	}
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.done:
	case <-time.After(60 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
		t.Fatalf("mariadbd did not stop within 60 s of SIGTERM:\n%s", m.Log())
	}
}

// Log is the server's log so far.
func (m *drillMariaDB) Log() string {
	b, _ := os.ReadFile(m.logFile)
	return string(b)
}

// DSN is the portal's PORTAL_DB_DSN for database db.
func (m *drillMariaDB) DSN(db string) string {
	return fmt.Sprintf("mysql://root@127.0.0.1:%d/%s", m.Port, db)
}

// Exec runs statements as root (no database selected unless db != "").
func (m *drillMariaDB) Exec(db string, stmts ...string) {
	m.t.Helper()
	conn, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s?timeout=5s", m.Port, db))
	if err != nil {
		m.t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.Exec(s); err != nil {
			m.t.Fatalf("%s: %v", s, err)
		}
	}
}

// drillTmpfs mounts a tmpfs of size (e.g. "64m") on a fresh folder,
// unmounted when the test ends. It needs root: elsewhere than in CI the
// test is skipped without it; in CI a failed mount fails the test.
func drillTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 && !drillInCI() {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount -t tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// drillFill writes a file in dir until the file system is full.
func drillFill(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := bytes.Repeat([]byte{0xA5}, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !strings.Contains(err.Error(), "no space left") {
				t.Fatalf("fill: %v", err)
			}
			break
		}
	}
	// Partial pages too: write byte-sized pieces until nothing fits.
	for {
		if _, err := f.Write([]byte{0}); err != nil {
			return
		}
	}
}

// drillPrepare makes a portal's database and data folder as env says:
// the first apptest-sized slice of the demo catalog and the demo accounts
// (password drillDemoPassword). inspect, when set, reads what the test
// needs from the open portal before it is closed.
func drillPrepare(t *testing.T, env map[string]string, inspect func(a *app.App)) {
	t.Helper()
	all := map[string]string{"PORTAL_SEED": "none", "PORTAL_LOG_LEVEL": "error", "PORTAL_DEMO_PASSWORD": drillDemoPassword}
	for k, v := range env {
		all[k] = v
	}
	cfg, err := config.Load(func(k string) string { return all[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	cat := seed.Demo()
	cat.Datasets = cat.Datasets[:60]
	a.Config.Seed = "demo"
	if err := a.Catalog.LoadCatalog(ctx, cat, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Catalog.Reindex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SeedDemoAccounts(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if inspect != nil {
		inspect(a)
	}
}

// drillEnv is the environment for startPortal: env as KEY=VALUE, with
// the developer-API rate limits off (the drills' load comes from one
// address).
func drillEnv(env map[string]string) []string {
	out := []string{"PORTAL_RATE_ANON=0", "PORTAL_RATE_TOKEN=0", "PORTAL_DEMO_PASSWORD=" + drillDemoPassword}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// drillResponse is one answer the drill saw.
type drillResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// drillClient sends requests with a bounded time each.
var drillClient = &http.Client{Timeout: 15 * time.Second}

// drillDo sends one request; a transport error is returned, not fatal
// (the load goroutines count them).
func drillDo(method, url string, body io.Reader, header map[string]string) (*drillResponse, error) {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := drillClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	return &drillResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// ErrorCode is the code of an error body ("" otherwise).
func (r *drillResponse) ErrorCode() string {
	var b struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// drillSession is a signed-in browser: cookie and CSRF token.
type drillSession struct{ Cookie, CSRF string }

// Header returns the session's headers plus extra pairs.
func (s drillSession) Header(extra ...string) map[string]string {
	h := map[string]string{"Cookie": "portal_session=" + s.Cookie, "X-CSRF-Token": s.CSRF}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

// drillSignIn signs in with the demo password.
func drillSignIn(t *testing.T, base, email string) drillSession {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": drillDemoPassword})
	r, err := drillDo("POST", base+"/api/v1/auth/login", bytes.NewReader(b), map[string]string{"Content-Type": "application/json"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusOK {
		t.Fatalf("sign in as %s: %d %s", email, r.Status, r.Body)
	}
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.Unmarshal(r.Body, &body)
	s := drillSession{CSRF: body.CSRF}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "portal_session" {
			s.Cookie = c.Value
		}
	}
	if s.Cookie == "" || s.CSRF == "" {
		t.Fatalf("sign in as %s: no session", email)
	}
	return s
}

// drillSQL opens database db on the drill's server as root.
func drillSQL(t *testing.T, m *drillMariaDB, db string) *sql.DB {
	t.Helper()
	conn, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s?timeout=5s", m.Port, db))
	if err != nil {
		t.Fatal(err)
	}
	return conn
}
