// Command benchpages measures the dataset page's HTML under load (make
// bench-pages): requests/s and latency p50/p99 with wrk at 64 connections
// on a catalog of 10,000 public entries, for
//
//	a) one dataset page, hot (the rendered-page cache answers it);
//	b) a rotation over 2,000 and over all 10,000 dataset pages (cold-ish:
//	   the cache holds site.CacheEntries pages, so 10,000 is mostly renders);
//	c) the reference: the same process's own static asset
//	   (/static/css/site.css?v=…), and nginx serving a copy of the page
//	   when nginx is installed,
//
// each as a ratio to the static asset measured in the same run, because
// this machine is shared and absolute figures swing. The portal runs as a
// separate process (the real binary, `portal serve`, on a loopback port),
// so wrk and the portal compete for the cores as they do in production.
// Afterwards an in-process Go loop times one uncached render of the same
// page (the handler with the page cache disabled) and, with -cpuprofile,
// profiles it, to show where the time goes.
//
// The goal is at least 2,000 requests/s for (a) and (b). It is a benchmark,
// not a test: it prints figures and exits 1 only when the page is not the
// real one or a response was not 2xx.
//
//	go run ./cmd/benchpages [-count 10000] [-c 64] [-t 2] [-d 10s] [-dsn mysql://root@127.0.0.1:3306/]
//
// It needs wrk (apt-get install -y wrk); nginx is optional.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/hlj-opendata/portal/cmd/internal/benchkit"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/site"
)

// goal is the figure for the dataset page (issue 15).
const goal = 2000

type options struct {
	count      int
	conns      int
	threads    int
	duration   time.Duration
	warmup     time.Duration
	rotations  string
	rounds     int
	gzip       bool
	dsn        string
	dataDir    string
	logLevel   string
	renders    int
	cpuprofile string
	profileFor time.Duration
	nginx      bool
	verbose    bool
	renderOnly bool
}

func main() {
	var o options
	flag.IntVar(&o.count, "count", 10000, "public catalog entries to generate")
	flag.IntVar(&o.conns, "c", 64, "wrk connections")
	flag.IntVar(&o.threads, "t", 2, "wrk threads")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "wrk duration of each measurement")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "wrk warm-up on the hot page and the static asset before measuring")
	flag.StringVar(&o.rotations, "rotate", "2000,all", "sizes of the rotations over dataset pages (all = every generated entry)")
	flag.IntVar(&o.rounds, "rounds", 1, "repeat every measurement this many times, in turn (medians are reported)")
	flag.BoolVar(&o.gzip, "gzip", true, "send Accept-Encoding: gzip as browsers and crawlers do (the hot page is also measured without)")
	flag.StringVar(&o.dsn, "dsn", "", "PORTAL_DB_DSN (default: embedded SQLite); mysql://user@host:3306/ with no database creates and drops a temporary one")
	flag.StringVar(&o.dataDir, "data", "", "reuse this data dir (loaded by a previous run, see -keep) instead of a temporary one")
	flag.StringVar(&o.logLevel, "log-level", "info", "the portal's PORTAL_LOG_LEVEL (info, as in production: one request log line per answer)")
	flag.IntVar(&o.renders, "renders", 300, "in-process uncached renders to time")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of uncached renders to this file and print its top functions")
	flag.DurationVar(&o.profileFor, "profile-for", 5*time.Second, "how long to profile uncached renders (with -cpuprofile)")
	flag.BoolVar(&o.nginx, "nginx", true, "also measure nginx serving a static copy of the page, when installed")
	flag.BoolVar(&o.verbose, "v", false, "print wrk's own output")
	flag.BoolVar(&o.renderOnly, "render-only", false, "skip the server and wrk: only the in-process timing (and -cpuprofile)")
	keep := flag.Bool("keep", false, "keep the temporary data dir (and database) for -data")
	flag.Parse()
	if err := run(o, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "benchpages:", err)
		os.Exit(1)
	}
}

func run(o options, keep bool) error {
	if _, err := exec.LookPath("wrk"); err != nil && !o.renderOnly {
		return errors.New("wrk is not installed (apt-get install -y wrk)")
	}
	if o.count < 1 || o.count > 1_000_000 || o.conns < 1 || o.threads < 1 || o.rounds < 1 || o.renders < 1 {
		return errors.New("-count, -c, -t, -rounds and -renders must be positive (-count at most 1,000,000)")
	}
	work, err := os.MkdirTemp("", "benchpages-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	dataDir := o.dataDir
	if dataDir == "" {
		if dataDir, err = os.MkdirTemp("", "benchpages-data-"); err != nil {
			return err
		}
		if keep {
			fmt.Printf("data dir kept: %s\n", dataDir)
		} else {
			defer os.RemoveAll(dataDir)
		}
	}
	dsn, drop, err := database(o.dsn, keep)
	if err != nil {
		return err
	}
	defer drop()

	env := map[string]string{"PORTAL_DATA_DIR": dataDir, "PORTAL_DB_DSN": dsn, "PORTAL_SEED": "none",
		"PORTAL_RATE_ANON": "0", "PORTAL_RATE_TOKEN": "0", "PORTAL_LOG_LEVEL": o.logLevel}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	ctx := context.Background()

	// Load the catalog in this process, then let the real binary serve it.
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		return err
	}
	engine := a.DB.Dialector.Name()
	err = load(ctx, a, o.count)
	var ids []string
	var hot *catalog.Dataset
	if err == nil {
		ids, err = publicIDs(ctx, a, o.count)
	}
	if err == nil {
		hot, err = hotPage(ctx, a)
	}
	a.Close()
	if err != nil {
		return err
	}
	if o.renderOnly {
		return inProcess(ctx, cfg, hot, "/datasets/"+hot.ID, o)
	}
	rotations, err := rotationSizes(o.rotations, len(ids))
	if err != nil {
		return err
	}

	bin := filepath.Join(work, "portal")
	fmt.Println("building the portal…")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/portal").CombinedOutput(); err != nil {
		return fmt.Errorf("build (run from the module root): %v\n%s", err, out)
	}
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return err
	}
	srv, err := startPortal(bin, work, addr, env)
	if err != nil {
		return err
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			srv.Process.Signal(os.Interrupt)
			srv.Wait()
		}
	}
	defer stop()
	base := "http://" + addr
	if err := waitReady(base, 5*time.Minute); err != nil {
		return fmt.Errorf("%w (server log: %s)", err, filepath.Join(work, "portal.log"))
	}
	// The start-up sweep profiles every file and scores every entry
	// through the outbox; measure the steady state after it.
	settle := time.Now()
	if err := waitOutbox(base, 15*time.Minute); err != nil {
		return err
	}
	fmt.Printf("portal pid %d on %s (%s, %d public entries); start-up outbox work done in %s\n",
		srv.Process.Pid, addr, engine, len(ids), time.Since(settle).Round(time.Second))

	pagePath := "/datasets/" + hot.ID
	page, staticPath, err := checkPage(base, pagePath, hot)
	if err != nil {
		return err
	}
	if err := checkSample(base, ids); err != nil {
		return err
	}
	fmt.Printf("page %s: %q, %d resources, %d bytes of HTML; reference %s\n", pagePath, hot.Title, len(hot.Resources), len(page), staticPath)

	var kinds []kind
	kinds = append(kinds, kind{name: "static asset (reference)", url: base + staticPath, gzip: o.gzip, server: true})
	if o.nginx {
		ng, stopNginx, err := startNginx(work, page)
		if err != nil {
			return err
		}
		if ng == "" {
			fmt.Println("nginx is not installed (apt-get install -y nginx-light): no nginx row")
		} else {
			defer stopNginx()
			kinds = append(kinds, kind{name: "nginx, static copy of the page", url: ng + "/page.html", gzip: o.gzip})
		}
	}
	kinds = append(kinds, kind{name: "(a) one page, hot", url: base + pagePath, gzip: o.gzip, goal: true, server: true})
	if o.gzip {
		kinds = append(kinds, kind{name: "(a) one page, hot, no gzip", url: base + pagePath, server: true})
	}
	for _, n := range rotations {
		script := filepath.Join(work, fmt.Sprintf("rotate-%d.lua", n))
		if err := os.WriteFile(script, rotationScript(ids[:n], o.threads), 0o644); err != nil {
			return err
		}
		kinds = append(kinds, kind{name: fmt.Sprintf("(b) rotation over %d pages", n), url: base + "/", script: script, gzip: o.gzip, goal: true, server: true})
	}
	doneScript := filepath.Join(work, "done.lua")
	if err := os.WriteFile(doneScript, []byte(doneLua), 0o644); err != nil {
		return err
	}

	if o.warmup > 0 {
		for _, u := range []string{base + pagePath, base + staticPath} {
			if _, err := wrk(o, doneScript, u, o.gzip, o.warmup); err != nil {
				return err
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average before the runs: %s", b) // other work on the machine moves the figures
	}
	fmt.Printf("wrk -c%d -t%d -d%s, %d round(s), Accept-Encoding: %s\n\n", o.conns, o.threads, o.duration, o.rounds, map[bool]string{true: "gzip", false: "none"}[o.gzip])
	results := make([][]result, len(kinds))
	for r := 0; r < o.rounds; r++ {
		for i, k := range kinds {
			script := k.script
			if script == "" {
				script = doneScript
			}
			cpu0 := cpuTime(srv.Process.Pid)
			res, err := wrk(o, script, k.url, k.gzip, o.duration)
			if err != nil {
				return fmt.Errorf("%s: %w", k.name, err)
			}
			if k.server {
				res.cpu = cpuTime(srv.Process.Pid) - cpu0
			}
			results[i] = append(results[i], res)
		}
	}
	rss, _ := peakRSS(srv.Process.Pid)
	stop()
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average after the runs: %s\n", b)
	}

	bad := report(kinds, results)
	if rss != "" {
		fmt.Printf("\nportal peak RSS (VmHWM): %s\n", rss)
	}

	fmt.Println()
	if err := inProcess(ctx, cfg, hot, pagePath, o); err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("%d responses were not 2xx: the figures above do not measure the page", bad)
	}
	return nil
}

// database returns the DSN to use and how to clean up: a mysql:// DSN
// without a database name gets a new, empty database dropped at the end.
func database(dsn string, keep bool) (string, func(), error) {
	if !strings.HasPrefix(dsn, "mysql://") {
		return dsn, func() {}, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("-dsn: %w", err)
	}
	if strings.Trim(u.Path, "/") != "" {
		return dsn, func() {}, nil
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "portal_benchpages_" + hex.EncodeToString(b[:])
	u.Path = "/mysql"
	admin, err := config.MySQLConn(u.String())
	if err != nil {
		return "", nil, fmt.Errorf("-dsn: %w", err)
	}
	db, err := sql.Open("mysql", admin)
	if err != nil {
		return "", nil, err
	}
	if _, err := db.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u.Path = "/" + name
	if keep {
		db.Close()
		fmt.Printf("database kept: %s\n", u.Redacted())
		return u.String(), func() {}, nil
	}
	return u.String(), func() {
		db.Exec("DROP DATABASE IF EXISTS " + name)
		db.Close()
	}, nil
}

func rotationSizes(spec string, have int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if f == "all" {
			out = append(out, have)
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > have {
			return nil, fmt.Errorf("-rotate: %q is not a number of pages from 1 to %d", f, have)
		}
		out = append(out, n)
	}
	return out, nil
}

// startPortal runs `portal serve` with its log in work/portal.log.
func startPortal(bin, work, addr string, env map[string]string) (*exec.Cmd, error) {
	logf, err := os.Create(filepath.Join(work, "portal.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	// /metrics answers only with the token (404 without one).
	cmd.Env = append(cmd.Env, "PORTAL_ADDR="+addr, "PORTAL_METRICS_ADDR=", "PORTAL_METRICS_TOKEN="+benchkit.MetricsToken)
	// Straight to a file: the log lines cost the portal, not this process.
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	logf.Close()
	return cmd, nil
}

func waitReady(base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("portal not ready after %s", limit)
}

var backlogRe = regexp.MustCompile(`(?m)^portal_outbox_backlog (\d+)`)

// waitOutbox waits until the outbox backlog (/metrics) stays at zero.
func waitOutbox(base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	zero, last := 0, time.Time{}
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+benchkit.MetricsToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := backlogRe.FindSubmatch(b)
		if m == nil {
			return errors.New("/metrics has no portal_outbox_backlog")
		}
		if string(m[1]) == "0" {
			if zero++; zero == 3 {
				return nil
			}
		} else {
			zero = 0
			if time.Since(last) > 10*time.Second {
				fmt.Printf("  waiting for the start-up outbox work: %s events\n", m[1])
				last = time.Now()
			}
		}
		time.Sleep(time.Second)
	}
	return fmt.Errorf("outbox backlog not empty after %s", limit)
}

var (
	h1Re     = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
	ldRe     = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)
	staticRe = regexp.MustCompile(`/static/[^"?]+\?v=([0-9A-Za-z_-]+)`)
	tagRe    = regexp.MustCompile(`<[^>]*>`)
)

// checkPage asserts that the page is the real, server-rendered dataset
// page and returns its body and the static asset it links to.
func checkPage(base, path string, d *catalog.Dataset) ([]byte, string, error) {
	resp, err := http.Get(base + path)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		return nil, "", fmt.Errorf("GET %s: Content-Type %q, want text/html", path, ct)
	}
	m := h1Re.FindSubmatch(body)
	if m == nil || !strings.Contains(html.UnescapeString(tagRe.ReplaceAllString(string(m[1]), "")), d.Title) {
		h := ""
		if m != nil {
			h = string(m[1])
		}
		return nil, "", fmt.Errorf("GET %s: <h1> %q does not hold the dataset title %q: the page is not server-rendered yet", path, h, d.Title)
	}
	ld := ldRe.FindSubmatch(body)
	if ld == nil {
		return nil, "", fmt.Errorf("GET %s: no <script type=\"application/ld+json\">", path)
	}
	var j struct {
		Type string `json:"@type"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(ld[1], &j); err != nil || j.Type != "Dataset" {
		return nil, "", fmt.Errorf("GET %s: the ld+json is not a schema.org Dataset (%v)", path, err)
	}
	// The page inlines its stylesheet; the asset version comes from any
	// versioned link (the logo), as a browser would cache site.css.
	v := staticRe.FindSubmatch(body)
	if v == nil {
		return nil, "", fmt.Errorf("GET %s: no versioned /static/ link", path)
	}
	static := "/static/css/site.css?v=" + string(v[1])
	sr, err := http.Get(base + static)
	if err != nil {
		return nil, "", err
	}
	io.Copy(io.Discard, sr.Body)
	sr.Body.Close()
	if sr.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("GET %s: HTTP %d", static, sr.StatusCode)
	}
	return body, static, nil
}

// checkSample fetches a few pages of the rotation: each must answer 200.
func checkSample(base string, ids []string) error {
	step := max(1, len(ids)/25)
	for i := 0; i < len(ids); i += step {
		resp, err := http.Get(base + "/datasets/" + ids[i])
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /datasets/%s: HTTP %d", ids[i], resp.StatusCode)
		}
	}
	return nil
}

type kind struct {
	name   string
	url    string
	script string // a rotation; "" = the url alone
	gzip   bool
	goal   bool // the 2,000 requests/s goal applies
	server bool // count the portal's CPU time
}

type result struct {
	Requests   int64 `json:"requests"`
	DurationUS int64 `json:"duration_us"`
	Bytes      int64 `json:"bytes"`
	Connect    int64 `json:"connect"`
	Read       int64 `json:"read"`
	Write      int64 `json:"write"`
	Status     int64 `json:"status"`
	Timeout    int64 `json:"timeout"`
	P50        int64 `json:"p50"`
	P99        int64 `json:"p99"`
	cpu        time.Duration
}

func (r result) rps() float64 { return float64(r.Requests) / (float64(r.DurationUS) / 1e6) }

// socketErrors counts connections that failed and requests wrk gave up on
// (no answer within its 2 s timeout): load, not a wrong page.
func (r result) socketErrors() int64 { return r.Connect + r.Read + r.Write + r.Timeout }

// doneLua prints wrk's summary as one JSON line (latencies in µs).
const doneLua = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCHPAGES {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p99":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`

// rotationScript is a wrk script that asks for the given pages in turn;
// each thread starts at its own offset, so threads do not ask for the same
// page at the same time.
func rotationScript(ids []string, threads int) []byte {
	var b bytes.Buffer
	b.WriteString("local ids = {\n")
	for _, id := range ids {
		b.WriteString(strconv.Quote(id)) // ids are [a-z0-9-]: a Go quote is a Lua string
		b.WriteString(",\n")
	}
	fmt.Fprintf(&b, `}
local n = #ids
local i = 0
local started = 0
function setup(thread)
  thread:set("tid", started)
  started = started + 1
end
function init(args)
  i = math.floor(tid * n / %d)
end
function request()
  i = i %% n + 1
  return wrk.format("GET", "/datasets/" .. ids[i])
end
`, threads)
	b.WriteString(doneLua)
	return b.Bytes()
}

var summaryRe = regexp.MustCompile(`(?m)^BENCHPAGES (\{.*\})$`)

func wrk(o options, script, u string, gz bool, d time.Duration) (result, error) {
	args := []string{"-c" + strconv.Itoa(o.conns), "-t" + strconv.Itoa(o.threads), "-d" + strconv.Itoa(max(1, int(d.Seconds()))) + "s", "--latency", "-s", script}
	if gz {
		args = append(args, "-H", "Accept-Encoding: gzip")
	}
	args = append(args, u)
	out, err := exec.Command("wrk", args...).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	if o.verbose {
		os.Stdout.Write(summaryRe.ReplaceAll(out, nil))
	}
	m := summaryRe.FindSubmatch(out)
	if m == nil {
		return result{}, fmt.Errorf("wrk printed no summary:\n%s", out)
	}
	var r result
	if err := json.Unmarshal(m[1], &r); err != nil {
		return result{}, err
	}
	return r, nil
}

// report prints the table and returns the number of answers that were
// not 2xx or 3xx.
func report(kinds []kind, results [][]result) int64 {
	med := func(rs []result, f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	ref := med(results[0], result.rps)
	var bad int64
	fmt.Printf("%-34s %9s %9s %9s %8s %8s %8s %10s %9s  %s\n", "kind", "req/s", "p50", "p99", "KB/resp", "non-2xx", "÷static", "CPU µs/req", "ceiling", "goal ≥ 2,000/s")
	for i, k := range kinds {
		rs := results[i]
		rps := med(rs, result.rps)
		var failed, sockErr int64
		for _, r := range rs {
			failed += r.Status
			sockErr += r.socketErrors()
		}
		bad += failed
		p50 := time.Duration(med(rs, func(r result) float64 { return float64(r.P50) })) * time.Microsecond
		p99 := time.Duration(med(rs, func(r result) float64 { return float64(r.P99) })) * time.Microsecond
		kb := med(rs, func(r result) float64 { return float64(r.Bytes) / float64(max(1, r.Requests)) / 1024 })
		cpu, ceiling := "-", "-"
		if k.server {
			c := med(rs, func(r result) float64 { return float64(r.cpu.Microseconds()) / float64(max(1, r.Requests)) })
			cpu = fmt.Sprintf("%.0f", c)
			if c > 0 {
				ceiling = fmt.Sprintf("%.0f", float64(runtime.NumCPU())*1e6/c)
			}
		}
		verdict := ""
		if k.goal {
			verdict = "missed"
			if rps >= goal {
				verdict = "met"
			}
		}
		fmt.Printf("%-34s %9.0f %9s %9s %8.1f %8d %8.2f %10s %9s  %s\n", k.name, rps, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), kb, failed, rps/ref, cpu, ceiling, verdict)
		if sockErr > 0 {
			fmt.Printf("%-34s %d socket errors or timeouts (wrk: no answer within 2 s)\n", "", sockErr)
		}
		if len(rs) > 1 {
			var each []string
			for _, r := range rs {
				each = append(each, fmt.Sprintf("%.0f", r.rps()))
			}
			fmt.Printf("%-34s %s\n", "", "rounds: "+strings.Join(each, ", ")+" req/s")
		}
	}
	fmt.Println("\nCPU µs/req: the portal process's user+system CPU time during the run divided by the answers;")
	fmt.Printf("ceiling: the requests/s that CPU cost allows on this machine's %d cores with nothing else running,\n", runtime.NumCPU())
	fmt.Println("not even wrk (an upper bound, and the figure other load on a shared machine moves least);")
	fmt.Println("÷static: requests/s relative to the portal's own static asset in the same run.")
	return bad
}

// inProcess times the same page rendered by the handler in this process
// with the page cache disabled (every request renders), and the cached
// answer for comparison, then optionally profiles the renders.
func inProcess(ctx context.Context, cfg config.Config, d *catalog.Dataset, path string, o options) error {
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	cached := a.Handler()
	a.Router = nil // build a second handler sharing the services, without the page cache
	a.PageCache = site.NewCache(0, 0)
	uncached := a.Handler()

	serve := func(h http.Handler, gz bool) error {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			return fmt.Errorf("in-process GET %s: HTTP %d", path, w.Code)
		}
		return nil
	}
	measure := func(name string, n int, f func() error) error {
		for i := 0; i < 20; i++ { // warm caches, pools, the connection pool
			if err := f(); err != nil {
				return err
			}
		}
		lat := make([]time.Duration, n)
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		c0 := processCPU()
		for i := range lat {
			t0 := time.Now()
			if err := f(); err != nil {
				return err
			}
			lat[i] = time.Since(t0)
		}
		cpu := processCPU() - c0
		runtime.ReadMemStats(&m1)
		slices.Sort(lat)
		fmt.Printf("%-38s %9.0f %9.0f %9.0f %10d %10.0f\n", name, us(cpu)/float64(n), us(lat[len(lat)/2]), us(lat[len(lat)*99/100]),
			(m1.Mallocs-m0.Mallocs)/uint64(n), float64(m1.TotalAlloc-m0.TotalAlloc)/float64(n)/1024)
		return nil
	}
	fmt.Printf("in-process, one request at a time, %s (GOMAXPROCS %d):\n", path, runtime.GOMAXPROCS(0))
	fmt.Printf("%-38s %9s %9s %9s %10s %10s\n", "", "CPU µs", "p50 µs", "p99 µs", "allocs", "KB alloc")
	steps := []struct {
		name string
		n    int
		f    func() error
	}{
		{"uncached render (handler, no gzip)", o.renders, func() error { return serve(uncached, false) }},
		{"uncached render + gzip", o.renders, func() error { return serve(uncached, true) }},
		{"  of which: load the entry (DB)", o.renders, func() error { _, err := a.Catalog.Store.Dataset(ctx, d.ID); return err }},
		{"cached answer (no gzip)", o.renders * 10, func() error { return serve(cached, false) }},
		{"cached answer + gzip", o.renders * 10, func() error { return serve(cached, true) }},
	}
	for _, s := range steps {
		if err := measure(s.name, s.n, s.f); err != nil {
			return err
		}
	}
	fmt.Println("CPU µs: this process's CPU time per request (GC included), which other load on the machine")
	fmt.Println("moves far less than the wall-clock p50/p99. The handler rows include Echo's middleware and the")
	fmt.Println("request log; the DB row is catalog.Store.Dataset alone (part of the render).")

	if o.cpuprofile == "" {
		return nil
	}
	f, err := os.Create(o.cpuprofile)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	n := 0
	for end := time.Now().Add(o.profileFor); time.Now().Before(end); n++ {
		if err := serve(uncached, o.gzip); err != nil {
			pprof.StopCPUProfile()
			f.Close()
			return err
		}
	}
	pprof.StopCPUProfile()
	f.Close()
	fmt.Printf("\nCPU profile of %d uncached renders in %s: %s\n", n, o.profileFor, o.cpuprofile)
	out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=30", o.cpuprofile).CombinedOutput()
	if err != nil {
		return fmt.Errorf("go tool pprof: %v\n%s", err, out)
	}
	os.Stdout.Write(out)
	out, err = exec.Command("go", "tool", "pprof", "-top", "-cum", "-nodecount=40", o.cpuprofile).CombinedOutput()
	if err != nil {
		return fmt.Errorf("go tool pprof: %v\n%s", err, out)
	}
	os.Stdout.Write(out)
	return nil
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// processCPU is this process's user+system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startNginx serves page as /page.html from nginx on a loopback port, with
// gzip at level 1 as the portal compresses pages per answer, and as many
// workers as cores. It returns "" when nginx is not installed.
func startNginx(dir string, page []byte) (string, func(), error) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		return "", nil, nil
	}
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return "", nil, err
	}
	root := filepath.Join(dir, "nginx")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", nil, err
	}
	if err := os.WriteFile(filepath.Join(root, "page.html"), page, 0o644); err != nil {
		return "", nil, err
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must read the temp folder
	}
	conf := filepath.Join(dir, "nginx.conf")
	err = os.WriteFile(conf, []byte(user+fmt.Sprintf(`daemon off; worker_processes auto; pid %[1]s/nginx.pid; error_log %[1]s/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  default_type text/html;
  gzip on; gzip_comp_level 1; gzip_min_length 1024;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  server { listen %[2]s; root %[3]s; location / { } }
}
`, dir, addr, root)), 0o644)
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "-c", conf, "-p", dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }
	for i := 0; i < 100; i++ {
		if resp, err := http.Get("http://" + addr + "/page.html"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return "http://" + addr, stop, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", nil, errors.New("nginx did not start")
}

// cpuTime is a process's user+system CPU time so far.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

func peakRSS(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.Atoi(f[1])
				return fmt.Sprintf("%.0f MB", float64(kb)/1024), nil
			}
		}
	}
	return "", errors.New("no VmHWM")
}
