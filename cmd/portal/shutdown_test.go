package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/config"
)

// These tests run the real binary: built here, started as a process,
// stopped with SIGTERM.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// portalBinary builds cmd/portal once per test run.
func portalBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "portal-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "portal")
		goCmd := "go"
		if gr := os.Getenv("GOROOT"); gr != "" {
			goCmd = filepath.Join(gr, "bin", "go")
		}
		cmd := exec.Command(goCmd, "build", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// bigDownload is the resource the slow client downloads: large enough
// that it cannot sit in the socket buffers while the client is not reading.
const (
	bigResourceID = "res-shutdown-1"
	bigSize       = 48 << 20
)

// prepareDataDir makes a SQLite portal in dir holding one public dataset
// with a 48 MiB resource, and returns the resource's SHA-256.
func prepareDataDir(t *testing.T, dir string) string {
	t.Helper()
	env := map[string]string{"PORTAL_DATA_DIR": dir, "PORTAL_SEED": "none", "PORTAL_LOG_LEVEL": "error"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	demo := seed.Demo()
	var ds seed.Dataset
	for _, d := range demo.Datasets {
		if d.OpenType == "unconditional" {
			ds = d
			break
		}
	}
	h := sha256.New()
	ds.Resources = []seed.Resource{{ID: bigResourceID, Name: "大文件", Format: "CSV", Rows: bigSize / 64, Write: func(w io.Writer) error {
		line := []byte(strings.Repeat("x", 63) + "\n")
		for i := 0; i < bigSize/64; i++ {
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return nil
	}}}
	if err := ds.Resources[0].Write(h); err != nil {
		t.Fatal(err)
	}
	cat := seed.Catalog{Departments: demo.Departments, Topics: demo.Topics, Datasets: []seed.Dataset{ds}}
	ctx := context.Background()
	if err := a.Catalog.LoadCatalog(ctx, cat, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Catalog.Reindex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// proc is a running portal process.
type proc struct {
	cmd    *exec.Cmd
	url    string
	lines  chan string // stderr (JSON logs), line by line
	done   chan struct{}
	mu     sync.Mutex
	stderr []string
	err    error // cmd.Wait's result, once done is closed
}

func startPortal(t *testing.T, dir string, extraEnv ...string) *proc {
	t.Helper()
	cmd := exec.Command(portalBinary(t), "serve")
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PORTAL_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "PORTAL_DATA_DIR="+dir, "PORTAL_ADDR=127.0.0.1:0", "PORTAL_SEED=none", "PORTAL_LOG_LEVEL=info")
	cmd.Env = append(cmd.Env, extraEnv...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 1000), done: make(chan struct{})}
	var pipes sync.WaitGroup
	pipes.Add(1)
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr = append(p.stderr, sc.Text())
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	urlc := make(chan string, 1)
	pipes.Add(1)
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`portal listening on (http://\S+?)/?$`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urlc <- m[1]
			}
		}
	}()
	go func() {
		pipes.Wait() // read the pipes to the end before Wait closes them
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.url = <-urlc:
	case <-p.done:
		t.Fatalf("portal exited at start: %v\n%s", p.err, p.log())
	case <-time.After(60 * time.Second):
		t.Fatalf("portal did not start in 60 s\n%s", p.log())
	}
	return p
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.stderr, "\n")
}

// waitLog waits for a log line containing s.
func (p *proc) waitLog(t *testing.T, s string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case line := <-p.lines:
			if strings.Contains(line, s) {
				return
			}
		case <-p.done:
			if strings.Contains(p.log(), s) {
				return
			}
			t.Fatalf("process exited before logging %q:\n%s", s, p.log())
		case <-deadline:
			t.Fatalf("no log line %q within %s:\n%s", s, within, p.log())
		}
	}
}

// waitExit waits for the process to end and returns its exit code.
func (p *proc) waitExit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("process still running %s after SIGTERM:\n%s", within, p.log())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("wait: %v", p.err)
	}
	return 0
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// startDownload opens the big download and reads its first bytes, leaving
// the rest in flight.
func startDownload(t *testing.T, p *proc) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Get(p.url + "/api/v1/resources/" + bigResourceID + "/download")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.ContentLength != bigSize {
		t.Fatalf("download: %d, %d bytes", resp.StatusCode, resp.ContentLength)
	}
	first := make([]byte, 64<<10)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	return resp, first
}

// SIGTERM during a download: the listener closes at once, the download
// completes, the workers stop, and the process exits 0.
func TestSIGTERMFinishesDownloadInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	sum := prepareDataDir(t, dir)
	p := startPortal(t, dir, "PORTAL_SHUTDOWN_TIMEOUT=60s")
	resp, first := startDownload(t, p)

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, "shutting down", 10*time.Second)
	// No new connections once shutdown began (bounded wait for the close).
	addr := strings.TrimPrefix(p.url, "http://")
	refused := false
	for i := 0; i < 100 && !refused; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			refused = true
			break
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	if !refused {
		t.Error("the portal still accepts connections after SIGTERM")
	}
	if !p.running() {
		t.Fatalf("the process exited with a download in flight:\n%s", p.log())
	}

	h := sha256.New()
	h.Write(first)
	n, err := io.Copy(h, resp.Body)
	if err != nil {
		t.Fatalf("download cut off after %d bytes: %v", int64(len(first))+n, err)
	}
	if got := int64(len(first)) + n; got != bigSize || hex.EncodeToString(h.Sum(nil)) != sum {
		t.Fatalf("download: %d bytes, sha256 match %v", got, hex.EncodeToString(h.Sum(nil)) == sum)
	}
	if code := p.waitExit(t, 20*time.Second); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, p.log())
	}
	logs := p.log()
	if !strings.Contains(logs, "stopped: workers finished") {
		t.Errorf("no clean stop logged:\n%s", logs)
	}
	if strings.Contains(logs, "shutdown timeout") {
		t.Errorf("the download should have finished before the timeout:\n%s", logs)
	}
	// JSON logs with request ids.
	if !regexp.MustCompile(`\{"time":.*"msg":"request".*"request_id":"[A-Za-z0-9]{8,}".*"route":"/api/v1/resources/:id/download".*"status":200`).MatchString(logs) {
		t.Errorf("no JSON request log line with a request id for the download:\n%s", logs)
	}
}

// A client that stalls past PORTAL_SHUTDOWN_TIMEOUT is cut off; the
// process still stops cleanly with exit code 0.
func TestSIGTERMTimeoutCutsStalledDownload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	prepareDataDir(t, dir)
	p := startPortal(t, dir, "PORTAL_SHUTDOWN_TIMEOUT=1s")
	resp, first := startDownload(t, p)
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The client reads nothing more: the server must give up after 1 s.
	if code := p.waitExit(t, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, p.log())
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("exited after %s, before the 1 s grace period", d)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil || int64(len(first))+n >= bigSize {
		t.Errorf("a cut-off download must end in an error, not look complete: %d bytes, %v", int64(len(first))+n, err)
	}
	logs := p.log()
	for _, want := range []string{"shutdown timeout", "stopped: workers finished"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// SIGTERM while a request body is still arriving (an upload in flight):
// the server keeps reading it, answers, and exits 0.
func TestSIGTERMFinishesRequestBodyInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	p := startPortal(t, t.TempDir(), "PORTAL_SHUTDOWN_TIMEOUT=60s")
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"email":"nobody@example.gov.cn","password":"` + strings.Repeat("p", 200) + `"}`
	half := len(body) / 2
	// Expect: 100-continue makes the server say when the handler starts
	// reading the body: from then on the request is in flight.
	head := "POST /api/v1/auth/login HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	if cont, err := http.ReadResponse(br, nil); err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue, got %v %v", cont, err)
	}
	if _, err := io.WriteString(conn, body[:half]); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, "shutting down", 10*time.Second)
	if !p.running() {
		t.Fatalf("exited with a request body in flight:\n%s", p.log())
	}
	if _, err := io.WriteString(conn, body[half:]); err != nil {
		t.Fatalf("the rest of the body could not be sent: %v", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer to the request in flight: %v\n%s", err, p.log())
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The body was read to the end and judged: wrong credentials, not a
	// malformed (cut) body.
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(answer), `"error"`) {
		t.Fatalf("answer %d %s", resp.StatusCode, answer)
	}
	if code := p.waitExit(t, 20*time.Second); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, p.log())
	}
}

// uploadInFlight is a provider's file upload sent by hand on one
// connection, so that a test can signal the portal half-way through.
type uploadInFlight struct {
	conn net.Conn
	br   *bufio.Reader
	body []byte // the whole multipart body
	sum  string // SHA-256 of the file
	size int
}

// prepareUpload makes a portal data folder (demo slice and accounts) and
// returns a public entry of provider@demo.local's department.
func prepareUpload(t *testing.T, dir string) string {
	t.Helper()
	var id string
	drillPrepare(t, map[string]string{"PORTAL_DATA_DIR": dir}, func(a *app.App) {
		if ids := providerEntries(t, a); len(ids) > 0 {
			id = ids[0]
		}
	})
	if id == "" {
		t.Fatal("no public entry of the demo provider's department")
	}
	return id
}

// startUpload declares one string data item on the entry, opens the
// upload of a 16 MiB CSV with Expect: 100-continue, waits until the
// handler reads the body, and sends the first half of it.
func startUpload(t *testing.T, p *proc, s drillSession, id string) *uploadInFlight {
	t.Helper()
	items := map[string]any{"data_items": []map[string]any{{"name": "name", "label": "名称", "type": "string", "required": true, "description": "演练"}}}
	b, _ := json.Marshal(items)
	r, err := drillDo("PATCH", p.url+"/api/v1/manage/datasets/"+id, bytes.NewReader(b), s.Header("Content-Type", "application/json"))
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("declare data items: %v %+v", err, r)
	}
	var file bytes.Buffer
	file.WriteString("name\n")
	for file.Len() < 16<<20 {
		file.WriteString("演练上传行" + strings.Repeat("x", 48) + "\n")
	}
	h := sha256.Sum256(file.Bytes())
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "drill.csv")
	fw.Write(file.Bytes())
	mw.Close()
	u := &uploadInFlight{body: body.Bytes(), sum: hex.EncodeToString(h[:]), size: file.Len()}
	u.conn, err = net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.conn.Close() })
	head := "POST /api/v1/manage/datasets/" + id + "/resources HTTP/1.1\r\nHost: portal\r\n" +
		"Cookie: portal_session=" + s.Cookie + "\r\nX-CSRF-Token: " + s.CSRF + "\r\n" +
		"Content-Type: " + mw.FormDataContentType() + "\r\nExpect: 100-continue\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n", len(u.body))
	if _, err := io.WriteString(u.conn, head); err != nil {
		t.Fatal(err)
	}
	u.br = bufio.NewReader(u.conn)
	if cont, err := http.ReadResponse(u.br, nil); err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue, got %v %v", cont, err)
	}
	if _, err := u.conn.Write(u.body[:len(u.body)/2]); err != nil {
		t.Fatal(err)
	}
	return u
}

// manageResources lists the resource ids of the entry's working version
// (or its published one when none is open).
func manageResources(t *testing.T, base string, s drillSession, id string) map[string]bool {
	t.Helper()
	r, err := drillDo("GET", base+"/api/v1/manage/datasets/"+id, nil, s.Header())
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("manage entry: %v %+v", err, r)
	}
	var d struct {
		Working *struct {
			Resources []struct{ ID string } `json:"resources"`
		} `json:"working"`
		Published *struct {
			Resources []struct{ ID string } `json:"resources"`
		} `json:"published"`
	}
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	v := d.Working
	if v == nil {
		v = d.Published
	}
	if v != nil {
		for _, res := range v.Resources {
			out[res.ID] = true
		}
	}
	return out
}

// spoolFiles lists upload files left in the data folder's upload spool.
func spoolFiles(dir string) []string {
	var out []string
	filepath.WalkDir(filepath.Join(dir, "spool"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "upload-") {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// SIGTERM during a file upload: the portal reads the rest of the file,
// stores it and answers 201, leaves no spooled file behind and exits 0;
// after a restart the stored file downloads byte for byte.
func TestSIGTERMFinishesUploadInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	id := prepareUpload(t, dir)
	p := startPortal(t, dir, drillEnv(map[string]string{"PORTAL_SHUTDOWN_TIMEOUT": "60s"})...)
	s := drillSignIn(t, p.url, "provider@demo.local")
	u := startUpload(t, p, s, id)

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, "shutting down", 10*time.Second)
	if !p.running() {
		t.Fatalf("exited with an upload in flight:\n%s", p.log())
	}
	if _, err := u.conn.Write(u.body[len(u.body)/2:]); err != nil {
		t.Fatalf("the rest of the file could not be sent: %v", err)
	}
	resp, err := http.ReadResponse(u.br, nil)
	if err != nil {
		t.Fatalf("no answer to the upload in flight: %v\n%s", err, p.log())
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var res struct {
		ID     string `json:"id"`
		Size   int    `json:"size"`
		SHA256 string `json:"sha256"`
	}
	_ = json.Unmarshal(answer, &res)
	if resp.StatusCode != http.StatusCreated || res.ID == "" || res.Size != u.size || res.SHA256 != u.sum {
		t.Fatalf("upload answer %d %s (want 201, %d bytes, sha256 %s)", resp.StatusCode, answer, u.size, u.sum)
	}
	if code := p.waitExit(t, 20*time.Second); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, p.log())
	}
	if left := spoolFiles(dir); len(left) > 0 {
		t.Errorf("spooled upload files left after a clean stop: %v", left)
	}

	p2 := startPortal(t, dir, drillEnv(nil)...)
	if !manageResources(t, p2.url, s, id)[res.ID] {
		t.Fatalf("resource %s not in the entry after restart", res.ID)
	}
	r, err := drillDo("GET", p2.url+"/api/v1/manage/resources/"+res.ID+"/download", nil, s.Header())
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("download after restart: %v %+v", err, r)
	}
	if got := sha256.Sum256(r.Body); hex.EncodeToString(got[:]) != u.sum || len(r.Body) != u.size {
		t.Fatalf("stored file differs: %d bytes", len(r.Body))
	}
}

// An upload whose client stalls past PORTAL_SHUTDOWN_TIMEOUT is cut off
// with nothing half-stored: no resource, and after the next start no
// spooled file.
func TestSIGTERMCutsStalledUploadCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	id := prepareUpload(t, dir)
	p := startPortal(t, dir, drillEnv(map[string]string{"PORTAL_SHUTDOWN_TIMEOUT": "1s"})...)
	s := drillSignIn(t, p.url, "provider@demo.local")
	u := startUpload(t, p, s, id)
	before := manageResources(t, p.url, s, id)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The client sends nothing more.
	if code := p.waitExit(t, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, p.log())
	}
	if resp, err := http.ReadResponse(u.br, nil); err == nil && resp.StatusCode == http.StatusCreated {
		t.Fatalf("a cut-off upload was answered 201")
	}

	p2 := startPortal(t, dir, drillEnv(nil)...)
	after := manageResources(t, p2.url, s, id)
	if len(after) != len(before) {
		t.Fatalf("resources before the cut %v, after %v", before, after)
	}
	for rid := range after {
		if !before[rid] {
			t.Fatalf("a cut-off upload left resource %s", rid)
		}
	}
	// The start sweeps what the stopped process left in its spool.
	p2.waitLog(t, "upload spool swept", 10*time.Second)
	if left := spoolFiles(dir); len(left) > 0 {
		t.Errorf("spooled upload files left after the restart: %v", left)
	}
}
