// Command benchload puts the public read paths under load (make
// bench-load): wrk at 64 connections for 60 s each against
//
//	list      GET /api/v1/datasets?page=N              (pages rotate)
//	search    GET /api/v1/datasets?q=企业[&facet filter] (two-character
//	          terms rotate, alone and with an open_type, format or topic
//	          filter; the answer carries the facet counts)
//	detail    GET /api/v1/datasets/{id}                (ids rotate)
//	ckan      GET /api/3/action/package_search?q=企业&rows=10 (terms rotate)
//	download  GET /api/v1/resources/{id}/download      (unconditional CSV
//	          originals rotate)
//	convert   GET /api/v1/resources/{id}/download?format=json
//
// and the portal's own static asset as the reference, on a synthetic
// catalog of 10,000 public entries. The portal runs as a separate process
// (the real binary, `portal serve`, on a loopback port) with the rate
// limits off (PORTAL_RATE_ANON=0, PORTAL_RATE_TOKEN=0).
//
// For each endpoint it prints requests/s, latency p50/p99, answers that
// were not 2xx (counted by the wrk script's response callback, with their
// status codes), socket errors (connect, read, write) and timeouts (no
// answer within wrk's 2 s) separately, and the portal's CPU time per
// request. The goal is zero non-2xx and zero timeouts on every endpoint;
// the command exits 1 when it is missed.
//
// With -cpuprofile the portal is then opened in this process and one
// endpoint (-profile) is profiled under the same wrk load.
//
//	go run ./cmd/benchload [-count 10000] [-c 64] [-t 2] [-d 60s] [-only ckan,search] [-dsn mysql://root@127.0.0.1:3306/]
//
// It needs wrk (make bench-load installs it with apt-get when missing).
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
	"io"
	"log/slog"
	"net"
	"net/http"
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
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/hlj-opendata/portal/cmd/internal/benchkit"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/config"
)

type options struct {
	count      int
	conns      int
	threads    int
	duration   time.Duration
	warmup     time.Duration
	only       string
	dsn        string
	dataDir    string
	logLevel   string
	cpuprofile string
	profile    string
	profileFor time.Duration
	verbose    bool
}

// terms are the two-character queries rotated by search and ckan: words
// of the synthetic titles, descriptions and data items (regions, subjects)
// and one that matches nothing.
var terms = []string{"企业", "公交", "食品", "医疗", "学校", "道路", "旅游", "农业", "人口", "环境", "气象", "大庆", "交通", "住房", "哈尔", "药品", "水质", "就业", "养老", "牡丹", "无此"}

func main() {
	var o options
	flag.IntVar(&o.count, "count", 10000, "public catalog entries to generate")
	flag.IntVar(&o.conns, "c", 64, "wrk connections")
	flag.IntVar(&o.threads, "t", 2, "wrk threads")
	flag.DurationVar(&o.duration, "d", 60*time.Second, "wrk duration for each endpoint")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "wrk warm-up on each endpoint before measuring (0: none)")
	flag.StringVar(&o.only, "only", "", "comma-separated endpoints to measure (list, search, detail, ckan, download, convert); default all")
	flag.StringVar(&o.dsn, "dsn", "", "PORTAL_DB_DSN (default: embedded SQLite); mysql://user@host:3306/ with no database creates and drops a temporary one")
	flag.StringVar(&o.dataDir, "data", "", "reuse this data dir (loaded by a previous run, see -keep) instead of a temporary one")
	flag.StringVar(&o.logLevel, "log-level", "info", "the portal's PORTAL_LOG_LEVEL (info, as in production: one request log line per answer)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "afterwards, profile one endpoint (-profile) served in this process under wrk, write the profile here and print its top functions")
	flag.StringVar(&o.profile, "profile", "ckan", "the endpoint to profile with -cpuprofile")
	flag.DurationVar(&o.profileFor, "profile-for", 10*time.Second, "how long to profile (with -cpuprofile)")
	flag.BoolVar(&o.verbose, "v", false, "print wrk's own output and the matches per search term")
	keep := flag.Bool("keep", false, "keep the temporary data dir (and database) for -data")
	flag.Parse()
	if err := run(o, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "benchload:", err)
		os.Exit(1)
	}
}

// endpoint is one measured kind of request: wrk rotates over paths.
type endpoint struct {
	name   string
	what   string
	paths  []string
	server bool // count the portal's CPU time
}

func run(o options, keep bool) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed (apt-get install -y wrk)")
	}
	if o.count < 1 || o.count > 1_000_000 || o.conns < 1 || o.threads < 1 || o.duration < time.Second {
		return errors.New("-count (1 to 1,000,000), -c and -t must be positive, -d at least 1s")
	}
	want := map[string]bool{}
	for _, n := range strings.Split(o.only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	work, err := os.MkdirTemp("", "benchload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	dataDir := o.dataDir
	if dataDir == "" {
		if dataDir, err = os.MkdirTemp("", "benchload-data-"); err != nil {
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
	var fx fixtures
	if err == nil {
		fx, err = loadFixtures(ctx, a, o.count)
	}
	a.Close()
	if err != nil {
		return err
	}

	all := endpoints(fx)
	var eps []endpoint
	for _, e := range all {
		if len(want) == 0 || want[e.name] {
			eps = append(eps, e)
		}
	}
	for n := range want {
		if !slices.ContainsFunc(all, func(e endpoint) bool { return e.name == n }) {
			return fmt.Errorf("-only: no endpoint %q (list, search, detail, ckan, download, convert)", n)
		}
	}

	bin := filepath.Join(work, "portal")
	fmt.Println("building the portal…")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/portal").CombinedOutput(); err != nil {
		return fmt.Errorf("build (run from the module root): %v\n%s", err, out)
	}
	addr, err := freeAddr()
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
	fmt.Printf("portal pid %d on %s (%s, %d public entries, %d unconditional CSV files); start-up outbox work done in %s\n",
		srv.Process.Pid, addr, engine, len(fx.ids), len(fx.resources), time.Since(settle).Round(time.Second))

	static, err := staticAsset(base, fx.ids[0])
	if err != nil {
		return err
	}
	for _, e := range eps {
		if err := check(base, e, o.verbose); err != nil {
			return err
		}
	}
	eps = append([]endpoint{{name: "static", what: "static asset (reference)", paths: []string{static}, server: true}}, eps...)
	scripts := make([]string, len(eps))
	for i, e := range eps {
		scripts[i] = filepath.Join(work, e.name+".lua")
		if err := os.WriteFile(scripts[i], benchkit.Script(e.paths, o.threads), 0o644); err != nil {
			return err
		}
	}

	if o.warmup > 0 {
		for i := range eps {
			if _, err := wrk(o, scripts[i], base, o.warmup); err != nil {
				return fmt.Errorf("%s warm-up: %w", eps[i].name, err)
			}
		}
	}
	load0 := loadavg()
	fmt.Printf("load average before the runs: %s\n", load0)
	fmt.Printf("wrk -c%d -t%d -d%s per endpoint (timeout 2 s, wrk's default)\n\n", o.conns, o.threads, o.duration)
	results := make([]result, len(eps))
	for i, e := range eps {
		cpu0 := benchkit.CPUTime(srv.Process.Pid)
		res, err := wrk(o, scripts[i], base, o.duration)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		res.cpu = benchkit.CPUTime(srv.Process.Pid) - cpu0
		res.load = loadavg()
		results[i] = res
		if o.verbose {
			fmt.Printf("  %s done: %.0f req/s, load %s\n", e.name, res.rps(), res.load)
		}
	}
	rss, _ := peakRSS(srv.Process.Pid)
	stop()
	fmt.Printf("load average after the runs: %s\n\n", loadavg())

	failed := report(eps, results)
	if rss != "" {
		fmt.Printf("portal peak RSS (VmHWM): %s\nportal log lines at level ERROR: %s\n", rss, errorLines(filepath.Join(work, "portal.log")))
	}

	if o.cpuprofile != "" {
		var target *endpoint
		for i := range all {
			if all[i].name == o.profile {
				target = &all[i]
			}
		}
		if target == nil {
			return fmt.Errorf("-profile: no endpoint %q", o.profile)
		}
		if err := profileInProcess(cfg, *target, work, o); err != nil {
			return err
		}
	}
	if failed != "" {
		return fmt.Errorf("goal missed (zero non-2xx and zero timeouts on every endpoint): %s", failed)
	}
	fmt.Println("goal met: zero non-2xx answers and zero timeouts on every endpoint")
	return nil
}

// endpoints lists the measured requests on the loaded catalog.
func endpoints(fx fixtures) []endpoint {
	pages := max(1, min(len(fx.ids)/20, 500)) // page_size 20; deep pages up to 10,000 entries
	var list, search, detail, ckan, download, convert []string
	for p := 1; p <= pages; p++ {
		list = append(list, "/api/v1/datasets?page="+strconv.Itoa(p))
	}
	filters := []string{"", "&open_type=unconditional", "&format=CSV"}
	for i, t := range terms {
		q := url.QueryEscape(t)
		for _, f := range filters {
			search = append(search, "/api/v1/datasets?q="+q+f)
		}
		search = append(search, "/api/v1/datasets?q="+q+"&topic="+url.QueryEscape(fx.topics[i%len(fx.topics)]))
		ckan = append(ckan, "/api/3/action/package_search?q="+q+"&rows=10")
	}
	for _, id := range fx.ids {
		detail = append(detail, "/api/v1/datasets/"+id)
	}
	for _, id := range fx.resources[:min(len(fx.resources), 2000)] {
		download = append(download, "/api/v1/resources/"+id+"/download")
		convert = append(convert, "/api/v1/resources/"+id+"/download?format=json")
	}
	return []endpoint{
		{"list", "GET /api/v1/datasets?page=N", list, true},
		{"search", "GET /api/v1/datasets?q=…[&filter]", search, true},
		{"detail", "GET /api/v1/datasets/{id}", detail, true},
		{"ckan", "CKAN package_search?q=…&rows=10", ckan, true},
		{"download", "download, CSV original", download, true},
		{"convert", "download ?format=json", convert, true},
	}
}

// check asks for a sample of the rotation once and asserts the answers are
// the real thing: 200 and the expected body.
func check(base string, e endpoint, verbose bool) error {
	step := max(1, len(e.paths)/20)
	if e.name == "search" || e.name == "ckan" {
		step = 1 // every query
	}
	matched := 0
	for i := 0; i < len(e.paths); i += step {
		p := e.paths[i]
		resp, err := http.Get(base + p)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: GET %s: HTTP %d: %.300s", e.name, p, resp.StatusCode, body)
		}
		var n int64
		switch e.name {
		case "list", "search":
			var j struct {
				Total  int64                      `json:"total"`
				Items  []json.RawMessage          `json:"items"`
				Facets map[string]json.RawMessage `json:"facets"`
			}
			if err := json.Unmarshal(body, &j); err != nil || len(j.Facets) == 0 {
				return fmt.Errorf("%s: GET %s: not a dataset list with facets (%v)", e.name, p, err)
			}
			if e.name == "list" && len(j.Items) == 0 {
				return fmt.Errorf("%s: GET %s: no items", e.name, p)
			}
			n = j.Total
		case "detail":
			var j struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(body, &j); err != nil || !strings.HasSuffix(p, "/"+j.ID) {
				return fmt.Errorf("%s: GET %s: not the entry (%v)", e.name, p, err)
			}
		case "ckan":
			var j struct {
				Success bool `json:"success"`
				Result  struct {
					Count   int64             `json:"count"`
					Results []json.RawMessage `json:"results"`
				} `json:"result"`
			}
			if err := json.Unmarshal(body, &j); err != nil || !j.Success {
				return fmt.Errorf("%s: GET %s: not a CKAN answer (%v)", e.name, p, err)
			}
			if int64(len(j.Result.Results)) != min(j.Result.Count, 10) {
				return fmt.Errorf("%s: GET %s: %d results for a count of %d", e.name, p, len(j.Result.Results), j.Result.Count)
			}
			n = j.Result.Count
		case "download":
			if !bytes.Contains(body[:min(len(body), 4096)], []byte(",")) {
				return fmt.Errorf("%s: GET %s: not a CSV", e.name, p)
			}
		case "convert":
			var rows []map[string]any
			if err := json.Unmarshal(body, &rows); err != nil || len(rows) == 0 {
				return fmt.Errorf("%s: GET %s: not a JSON array of rows (%v)", e.name, p, err)
			}
		}
		if n > 0 {
			matched++
		}
		if verbose && (e.name == "search" || e.name == "ckan") {
			fmt.Printf("  %s %s: %d matches\n", e.name, p, n)
		}
	}
	if (e.name == "search" || e.name == "ckan") && matched < len(e.paths)/2 {
		return fmt.Errorf("%s: only %d of %d queries match anything: the terms do not fit the catalog", e.name, matched, len(e.paths))
	}
	return nil
}

var staticRe = regexp.MustCompile(`/static/[^"?]+\?v=([0-9A-Za-z_-]+)`)

// staticAsset finds the versioned stylesheet a dataset page links to.
func staticAsset(base, id string) (string, error) {
	resp, err := http.Get(base + "/datasets/" + id)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	v := staticRe.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || v == nil {
		return "", fmt.Errorf("GET /datasets/%s: HTTP %d with no versioned /static/ link", id, resp.StatusCode)
	}
	p := "/static/css/site.css?v=" + string(v[1])
	sr, err := http.Get(base + p)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, sr.Body)
	sr.Body.Close()
	if sr.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: HTTP %d", p, sr.StatusCode)
	}
	return p, nil
}

// result is one endpoint's wrk summary plus the portal's CPU time and
// the machine's load while it ran.
type result struct {
	benchkit.Result
	cpu  time.Duration
	load string
}

func (r result) rps() float64 { return r.RPS() }

func wrk(o options, script, base string, d time.Duration) (result, error) {
	var w io.Writer
	if o.verbose {
		w = os.Stdout
	}
	r, err := benchkit.WrkVerbose(o.conns, o.threads, d, script, base, w)
	return result{Result: r}, err
}

// report prints the table and returns what missed the goal ("" if none).
func report(eps []endpoint, results []result) string {
	ref := results[0].rps()
	var missed []string
	fmt.Printf("%-9s %-34s %8s %9s %9s %9s %8s %9s %8s %7s %8s %5s\n", "endpoint", "request", "req/s", "p50", "p99", "max", "non-2xx", "sock err", "timeouts", "÷static", "CPU µs", "load")
	for i, e := range eps {
		r := results[i]
		sock := r.Connect + r.Read + r.Write
		d := func(us int64) string {
			return (time.Duration(us) * time.Microsecond).Round(10 * time.Microsecond).String()
		}
		load1, _, _ := strings.Cut(r.load, " ")
		fmt.Printf("%-9s %-34s %8.0f %9s %9s %9s %8d %9d %8d %7.3f %8.0f %5s\n", e.name, e.what, r.rps(), d(r.P50), d(r.P99), d(r.Max),
			r.Non2xx, sock, r.Timeout, r.rps()/ref, float64(r.cpu.Microseconds())/float64(max(1, r.Requests)), load1)
		if r.Non2xx > 0 {
			fmt.Printf("%-9s statuses: %v\n", "", r.Codes)
		}
		if i > 0 && (r.Non2xx > 0 || r.Timeout > 0 || sock > 0) {
			missed = append(missed, fmt.Sprintf("%s: %d non-2xx, %d socket errors, %d timeouts", e.name, r.Non2xx, sock, r.Timeout))
		}
	}
	fmt.Println("\nsock err: connect + read + write errors; timeouts: no answer within wrk's 2 s.")
	fmt.Printf("CPU µs: the portal process's user+system CPU time per answer (%d cores, shared with wrk);\n", runtime.NumCPU())
	fmt.Println("÷static: requests/s relative to the portal's own static asset; load: 1-minute load average after the run.")
	return strings.Join(missed, "; ")
}

// profileInProcess opens the portal in this process, serves it on a
// loopback port and CPU-profiles one endpoint under the same wrk load.
func profileInProcess(cfg config.Config, e endpoint, work string, o options) error {
	logf, err := os.Create(filepath.Join(work, "inprocess.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(logf, nil)), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	s := filepath.Join(work, "profile.lua")
	if err := os.WriteFile(s, benchkit.Script(e.paths, o.threads), 0o644); err != nil {
		return err
	}
	if _, err := wrk(o, s, base, 2*time.Second); err != nil {
		return err
	}
	f, err := os.Create(o.cpuprofile)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	res, err := wrk(o, s, base, o.profileFor)
	pprof.StopCPUProfile()
	f.Close()
	if err != nil {
		return err
	}
	fmt.Printf("\nCPU profile of %s in process (%.0f req/s, p99 %s, %d non-2xx, %d timeouts): %s\n", e.name, res.rps(),
		time.Duration(res.P99)*time.Microsecond, res.Non2xx, res.Timeout, o.cpuprofile)
	for _, args := range [][]string{{"-top", "-nodecount=25"}, {"-top", "-cum", "-nodecount=40"}} {
		out, err := exec.Command("go", append(append([]string{"tool", "pprof"}, args...), o.cpuprofile)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("go tool pprof: %v\n%s", err, out)
		}
		os.Stdout.Write(out)
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
	name := "portal_benchload_" + hex.EncodeToString(b[:])
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

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
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

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// errorLines summarises the portal's log lines at level ERROR: how many,
// and the first few distinct messages with their counts.
func errorLines(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "?"
	}
	n := 0
	seen := map[string]int{}
	var order []string
	for _, l := range bytes.Split(b, []byte("\n")) {
		if !bytes.Contains(l, []byte("level=ERROR")) {
			continue
		}
		n++
		m := string(l)
		if i := strings.Index(m, "msg="); i >= 0 {
			m = m[i:]
		}
		m = requestIDRe.ReplaceAllString(m, "")
		if len(m) > 240 {
			m = m[:240]
		}
		if seen[m] == 0 {
			order = append(order, m)
		}
		seen[m]++
	}
	out := strconv.Itoa(n)
	for i, m := range order {
		if i == 5 {
			out += fmt.Sprintf("\n  … %d more kinds", len(order)-5)
			break
		}
		out += fmt.Sprintf("\n  %d× %s", seen[m], m)
	}
	return out
}

var requestIDRe = regexp.MustCompile(`(request_id|latency|duration|bytes_out|remote_ip|time)=\S+ ?`)

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
