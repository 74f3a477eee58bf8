// Package benchkit holds what the cmd/bench* commands share: building the
// portal (from the working tree or from a git revision), running it as its
// own process on a loopback port, waiting for it, driving wrk with a Lua
// script that rotates paths, and reading a process's CPU time and memory.
// It is benchmark tooling only: nothing under server/ imports it.
package benchkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Build compiles ./cmd/portal of the module at dir into out.
func Build(dir, out string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./cmd/portal")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build in %s: %v\n%s", dir, err, b)
	}
	return nil
}

// ResolveRevision turns a revision name into its full commit id.
func ResolveRevision(rev string) (string, error) {
	out, err := exec.Command("git", "rev-parse", "--verify", rev+"^{commit}").Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse %s: %v", rev, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// BuildRevision builds the portal of a git commit into cacheDir/portal-<commit>,
// reusing an earlier build. The source comes from `git archive`, so the
// work tree and the repository's worktree list are left alone.
func BuildRevision(commit, cacheDir string) (string, error) {
	bin := filepath.Join(cacheDir, "portal-"+commit[:12])
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	src, err := os.MkdirTemp("", "benchkit-src-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(src)
	archive := exec.Command("git", "archive", "--format=tar", commit)
	untar := exec.Command("tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return "", err
	}
	untar.Stdin = pipe
	var stderr bytes.Buffer
	archive.Stderr, untar.Stderr = &stderr, &stderr
	if err := untar.Start(); err != nil {
		return "", err
	}
	if err := archive.Run(); err != nil {
		return "", fmt.Errorf("git archive %s: %v %s", commit, err, stderr.String())
	}
	if err := untar.Wait(); err != nil {
		return "", fmt.Errorf("untar %s: %v %s", commit, err, stderr.String())
	}
	tmp := bin + ".tmp"
	if err := Build(src, tmp); err != nil {
		return "", err
	}
	return bin, os.Rename(tmp, bin)
}

// FreeAddr is a loopback address with a port free right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// MetricsToken is the bearer token the commands give the portals they
// start, so that /metrics answers them (it is 404 without one).
const MetricsToken = "benchkit-metrics-token-0123456789"

// Portal is a `portal serve` process started by a benchmark.
type Portal struct {
	Cmd     *exec.Cmd
	Base    string // http://127.0.0.1:port
	Log     string // its stdout and stderr
	Started time.Time
	stopped bool
}

// Start runs `bin serve` on a free loopback port with env added to this
// process's environment; its output goes to logPath.
func Start(bin string, env map[string]string, logPath string) (*Portal, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "PORTAL_ADDR="+addr, "PORTAL_METRICS_ADDR=", "PORTAL_METRICS_TOKEN="+MetricsToken)
	// Straight to a file: the log lines cost the portal, not this process.
	cmd.Stdout, cmd.Stderr = logf, logf
	p := &Portal{Cmd: cmd, Base: "http://" + addr, Log: logPath, Started: time.Now()}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// Pid is the process id.
func (p *Portal) Pid() int { return p.Cmd.Process.Pid }

// Stop interrupts the process and waits for it (once).
func (p *Portal) Stop() {
	if p == nil || p.stopped {
		return
	}
	p.stopped = true
	_ = p.Cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.Cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = p.Cmd.Process.Kill()
		<-done
	}
}

// WaitReady polls /readyz until it answers 200 and returns the time since
// the process started.
func (p *Portal) WaitReady(limit time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: 5 * time.Second}
	for time.Now().Before(deadline) {
		if p.Cmd.ProcessState != nil {
			return 0, fmt.Errorf("portal exited (log: %s)", p.Log)
		}
		if resp, err := client.Get(p.Base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(p.Started), nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0, fmt.Errorf("portal not ready after %s (log: %s)", limit, p.Log)
}

var backlogRe = regexp.MustCompile(`(?m)^portal_outbox_backlog (\d+)`)

// Metrics reads /metrics with the bearer token.
func (p *Portal) Metrics() (string, error) {
	req, _ := http.NewRequest(http.MethodGet, p.Base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+MetricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("/metrics: HTTP %d", resp.StatusCode)
	}
	return string(b), err
}

// Backlog is the outbox backlog /metrics reports.
func (p *Portal) Backlog() (int64, error) {
	m, err := p.Metrics()
	if err != nil {
		return 0, err
	}
	b := backlogRe.FindStringSubmatch(m)
	if b == nil {
		return 0, errors.New("/metrics has no portal_outbox_backlog")
	}
	return strconv.ParseInt(b[1], 10, 64)
}

// WaitOutbox waits until the outbox backlog (/metrics) reads zero three
// times in a row: the start-up sweep and the index are then settled, and
// what gets measured is the steady state.
func (p *Portal) WaitOutbox(limit time.Duration, progress io.Writer) error {
	deadline := time.Now().Add(limit)
	zero, last := 0, time.Now()
	for time.Now().Before(deadline) {
		n, err := p.Backlog()
		if err != nil {
			return err
		}
		if n == 0 {
			if zero++; zero == 3 {
				return nil
			}
		} else {
			zero = 0
			if progress != nil && time.Since(last) > 10*time.Second {
				fmt.Fprintf(progress, "  waiting for the outbox: %d events\n", n)
				last = time.Now()
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("outbox backlog not empty after %s", limit)
}

// Get asks for a path and returns the status and body.
func (p *Portal) Get(path string) (int, []byte, error) {
	resp, err := http.Get(p.Base + path)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp.StatusCode, b, err
}

var staticRe = regexp.MustCompile(`/static/css/site\.css(\?v=[0-9A-Za-z_-]+)?`)

// StaticAsset is the stylesheet path the catalog page links to (with its
// version, as browsers ask for it), checked to answer 200.
func (p *Portal) StaticAsset() (string, error) {
	code, body, err := p.Get("/datasets")
	if err != nil {
		return "", err
	}
	path := "/static/css/site.css"
	if m := staticRe.Find(body); code == http.StatusOK && m != nil {
		path = string(m)
	}
	if code, _, err = p.Get(path); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("GET %s: HTTP %d %v", path, code, err)
	}
	return path, nil
}

// Result is wrk's summary as printed by Script's done callback.
type Result struct {
	Requests   int64            `json:"requests"`
	DurationUS int64            `json:"duration_us"`
	Bytes      int64            `json:"bytes"`
	Connect    int64            `json:"connect"`
	Read       int64            `json:"read"`
	Write      int64            `json:"write"`
	Timeout    int64            `json:"timeout"`
	Non2xx     int64            `json:"non2xx"`
	Codes      map[string]int64 `json:"codes"`
	P50        int64            `json:"p50"` // µs
	P99        int64            `json:"p99"`
	Max        int64            `json:"max"`
}

// RPS is requests per second.
func (r Result) RPS() float64 {
	if r.DurationUS == 0 {
		return 0
	}
	return float64(r.Requests) / (float64(r.DurationUS) / 1e6)
}

// Errors is socket errors plus timeouts.
func (r Result) Errors() int64 { return r.Connect + r.Read + r.Write + r.Timeout }

// Script is a wrk Lua script that asks for paths in turn (each thread from
// its own offset), counts answers that are not 2xx per status, and prints
// the summary as one JSON line (latencies in µs).
func Script(paths []string, threads int) []byte {
	var b bytes.Buffer
	b.WriteString("local paths = {\n")
	for _, p := range paths {
		b.WriteString(strconv.Quote(p)) // ASCII after escaping: a Go quote is a Lua string
		b.WriteString(",\n")
	}
	fmt.Fprintf(&b, `}
local n = #paths
local i = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  i = math.floor(tid * n / %d)
  bad = 0
  codes = {}
end
function request()
  i = i %% n + 1
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    codes[status] = (codes[status] or 0) + 1
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  local nbad = 0
  local all = {}
  for _, t in ipairs(threads) do
    nbad = nbad + t:get("bad")
    for k, v in pairs(t:get("codes")) do all[k] = (all[k] or 0) + v end
  end
  local cs = {}
  for k, v in pairs(all) do table.insert(cs, string.format('"%%d":%%d', k, v)) end
  io.write(string.format('BENCHKIT {"requests":%%d,"duration_us":%%d,"bytes":%%d,"connect":%%d,"read":%%d,"write":%%d,"timeout":%%d,"non2xx":%%d,"codes":{%%s},"p50":%%d,"p99":%%d,"max":%%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout, nbad, table.concat(cs, ","),
    latency:percentile(50), latency:percentile(99), latency.max))
end
`, max(threads, 1))
	return b.Bytes()
}

var summaryRe = regexp.MustCompile(`(?m)^BENCHKIT (\{.*\})$`)

// Wrk runs wrk with a Script file against base for d.
func Wrk(conns, threads int, d time.Duration, script, base string) (Result, error) {
	return WrkVerbose(conns, threads, d, script, base, nil)
}

// WrkVerbose is Wrk that also copies wrk's own report (without the
// summary line) to w when w is not nil.
func WrkVerbose(conns, threads int, d time.Duration, script, base string, w io.Writer) (Result, error) {
	if _, err := exec.LookPath("wrk"); err != nil {
		return Result{}, errors.New("wrk is not installed (apt-get install -y wrk)")
	}
	args := []string{"-c" + strconv.Itoa(conns), "-t" + strconv.Itoa(threads), "-d" + strconv.Itoa(max(1, int(d.Seconds()))) + "s",
		"-H", "Accept-Encoding: gzip", "-s", script, base + "/"}
	out, err := exec.Command("wrk", args...).CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	if w != nil {
		w.Write(summaryRe.ReplaceAll(out, nil))
	}
	m := summaryRe.FindSubmatch(out)
	if m == nil {
		return Result{}, fmt.Errorf("wrk printed no summary:\n%s", out)
	}
	var r Result
	err = json.Unmarshal(m[1], &r)
	return r, err
}

// CPUTime is a process's user+system CPU time so far (0 if unknown).
func CPUTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b) // fields after the command name, which is in parentheses
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

// Memory is a process's resident set now (VmRSS) and at its peak (VmHWM),
// in bytes.
func Memory(pid int) (rss, hwm int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			hwm = kb << 10
		}
	}
	return rss, hwm
}

// DirSize is the bytes of the regular files under dir.
func DirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// CopyDir copies the regular files of src into a new dst (cp -a).
func CopyDir(src, dst string) error {
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		return fmt.Errorf("cp -a %s %s: %v %s", src, dst, err, out)
	}
	return nil
}

// MB formats bytes as mebibytes.
func MB(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

// Dur formats µs as a rounded duration.
func Dur(us int64) string {
	d := time.Duration(us) * time.Microsecond
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
