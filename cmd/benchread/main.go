// Command benchread measures the public read path through HTTP, before
// and after a change, side by side on one seeded catalog (make bench-read):
//
//	go run ./cmd/benchread [-count 100000] [-before 60c0e14] [-c 8 -t 2 -d 10s]
//
// "before" is the portal built from a git revision (git archive + go
// build, cached by commit), "after" the working tree. The catalog is
// seeded once by the before binary (`portal seed synthetic --count N`) and
// cached by count and commit; each binary serves its own copy of it, as
// its own process on a loopback port with the rate limits off, and wrk at
// 8 connections drives, one path after another:
//
//	static      the process's own stylesheet (the practical limit)
//	detail      GET /api/v1/datasets/{id}, ids rotating
//	api p1/500  GET /api/v1/datasets?page=1 and ?page=500
//	web p1/500  GET /datasets?page=1 and ?page=500
//	search      GET /api/v1/datasets?q=XX… two-character queries with
//	            facets, all distinct within a run (query × page_size ×
//	            filter), so that a response cache cannot answer
//	ckan        GET /api/3/action/package_search?q=XX&rows=N, distinct
//
// and it prints req/s, p50, p99 and the ratio to the static asset for
// both. With -scale 10000,100000[,1000000] it measures the working tree's
// cost curve instead (scale.go).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hlj-opendata/portal/cmd/internal/benchkit"
	"github.com/hlj-opendata/portal/seed"
)

type options struct {
	count    int
	before   string
	conns    int
	threads  int
	duration time.Duration
	warmup   time.Duration
	cache    string
	only     string
	scale    string
	requests int           // scale: sequential search requests
	settle   time.Duration // scale: how long to wait for the start-up outbox work
	verbose  bool
}

func main() {
	var o options
	flag.IntVar(&o.count, "count", 100000, "synthetic catalog entries")
	flag.StringVar(&o.before, "before", "60c0e14", "git revision measured as \"before\" (the working tree is \"after\")")
	flag.IntVar(&o.conns, "c", 8, "wrk connections")
	flag.IntVar(&o.threads, "t", 2, "wrk threads")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "wrk duration per path")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "wrk warm-up per path before measuring (0: none)")
	flag.StringVar(&o.cache, "cache", defaultCache(), "where built binaries and seeded catalogs are kept between runs")
	flag.StringVar(&o.only, "only", "", "comma-separated paths to measure besides static (detail, api-p1, api-p500, web-p1, web-p500, search, ckan)")
	flag.StringVar(&o.scale, "scale", "", "measure the working tree's cost curve at these counts instead, e.g. 10000,100000,1000000")
	flag.IntVar(&o.requests, "requests", 400, "with -scale: sequential search requests (concurrency 1)")
	flag.DurationVar(&o.settle, "settle", 20*time.Minute, "with -scale: wait this long for the start-up outbox work before measuring beside it")
	flag.BoolVar(&o.verbose, "v", false, "print progress details")
	cpuprofile := flag.String("cpuprofile", "", "skipped with a note: the portal exposes no pprof endpoint (make bench-load -cpuprofile profiles in process)")
	flag.Parse()
	if *cpuprofile != "" {
		// Skipped, not refused: the table is still worth having.
		fmt.Fprintln(os.Stderr, "benchread: -cpuprofile skipped: the portal serves no pprof endpoint, so a separate process cannot be profiled; use `make bench-load BENCH_LOAD_FLAGS='-only detail -cpuprofile f -profile detail'`, which profiles in process")
	}
	var err error
	if o.scale != "" {
		err = runScale(o)
	} else {
		err = runCompare(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchread:", err)
		os.Exit(1)
	}
}

func defaultCache() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "portal-bench")
	}
	return filepath.Join(os.TempDir(), "portal-bench")
}

// env is the portal's environment on a data dir: no demo seed, rate limits
// off, request logs as in production.
func env(dataDir string) map[string]string {
	return map[string]string{"PORTAL_DATA_DIR": dataDir, "PORTAL_SEED": "none",
		"PORTAL_RATE_ANON": "0", "PORTAL_RATE_TOKEN": "0", "PORTAL_LOG_LEVEL": "info"}
}

// path is one measured kind of request: wrk rotates over paths.
type path struct {
	name  string
	what  string
	paths []string
}

type measured struct {
	res   benchkit.Result
	cpuUS float64 // the portal's CPU µs per answer
}

type run struct {
	label   string
	ready   time.Duration
	results map[string]measured
	rss     int64
	errLog  int
}

func runCompare(o options) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed (apt-get install -y wrk)")
	}
	if o.count < 1 || o.count > 1_000_000 || o.conns < 1 || o.threads < 1 || o.duration < time.Second {
		return errors.New("-count from 1 to 1,000,000; -c and -t positive; -d at least 1s")
	}
	commit, err := benchkit.ResolveRevision(o.before)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "benchread-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	fmt.Printf("building before (%s) and after (working tree)…\n", commit[:12])
	beforeBin, err := benchkit.BuildRevision(commit, filepath.Join(o.cache, "bin"))
	if err != nil {
		return err
	}
	afterBin := filepath.Join(work, "portal-after")
	if err := benchkit.Build(".", afterBin); err != nil {
		return err
	}
	seeded, err := seededCatalog(beforeBin, commit, o)
	if err != nil {
		return err
	}
	paths := readPaths(o.count)
	var sel []path
	want := map[string]bool{}
	for _, n := range strings.Split(o.only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	for _, p := range paths {
		if len(want) == 0 || want[p.name] {
			sel = append(sel, p)
		}
	}
	for n := range want {
		if !slices.ContainsFunc(paths, func(p path) bool { return p.name == n }) {
			return fmt.Errorf("-only: no path %q", n)
		}
	}
	var runs []run
	for _, v := range []struct{ label, bin string }{{"before", beforeBin}, {"after", afterBin}} {
		r, err := measure(v.label, v.bin, seeded, work, sel, o)
		if err != nil {
			return fmt.Errorf("%s: %w", v.label, err)
		}
		runs = append(runs, r)
	}
	report(o, commit, sel, runs)
	return nil
}

// seededCatalog returns a data dir holding the synthetic catalog, seeded
// by the before binary and kept in the cache under count and commit (the
// schema the seed wrote is that revision's).
func seededCatalog(bin, commit string, o options) (string, error) {
	dir := filepath.Join(o.cache, fmt.Sprintf("data-%d-%s", o.count, commit[:12]))
	if _, err := os.Stat(filepath.Join(dir, ".seeded")); err == nil {
		fmt.Printf("seeded catalog (cached): %s\n", dir)
		return dir, nil
	}
	os.RemoveAll(dir)
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	fmt.Printf("seeding %d synthetic entries into %s…\n", o.count, dir)
	start := time.Now()
	cmd := exec.Command(bin, "seed", "synthetic", "--count", strconv.Itoa(o.count))
	cmd.Env = os.Environ()
	for k, v := range env(tmp) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("seed: %v\n%s", err, tail(out))
	}
	took := time.Since(start).Round(time.Millisecond)
	fmt.Printf("seeded in %s; serving it once until the start-up outbox work (file profiles, quality scores) is done…\n", took)
	// Done once here, so that each measured copy starts from a settled
	// catalog instead of spending minutes on it.
	p, err := benchkit.Start(bin, env(tmp), filepath.Join(o.cache, fmt.Sprintf("seed-%d.log", o.count)))
	if err != nil {
		return "", err
	}
	_, err = p.WaitReady(10 * time.Minute)
	if err == nil {
		err = p.WaitOutbox(60*time.Minute, os.Stdout)
	}
	p.Stop()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".seeded"), []byte(took.String()+"\n"), 0o644); err != nil {
		return "", err
	}
	return dir, os.Rename(tmp, dir)
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// readPaths lists the measured requests on a catalog of count synthetic
// entries (ids syn-0000000…).
func readPaths(count int) []path {
	rng := rand.New(rand.NewPCG(18, uint64(count)))
	var public []string                       // not_open entries answer 404
	for off := 0; off < count; off += 50000 { // in chunks: a million entries at once weigh gigabytes
		for _, d := range seed.Synthetic(min(50000, count-off), off) {
			if d.OpenType != "not_open" {
				public = append(public, d.ID)
			}
		}
	}
	var detail []string
	for range min(len(public), 20000) {
		detail = append(detail, "/api/v1/datasets/"+public[rng.IntN(len(public))])
	}
	deep := strconv.Itoa(max(1, min(500, len(public)/20))) // page_size 20: page 500 needs 10,000 public entries
	search, ckan := distinctQueries(count, rng)
	return []path{
		{"detail", "GET /api/v1/datasets/{id}", detail},
		{"api-p1", "GET /api/v1/datasets?page=1", []string{"/api/v1/datasets?page=1"}},
		{"api-p500", "GET /api/v1/datasets?page=" + deep, []string{"/api/v1/datasets?page=" + deep}},
		{"web-p1", "GET /datasets?page=1", []string{"/datasets?page=1"}},
		{"web-p500", "GET /datasets?page=" + deep, []string{"/datasets?page=" + deep}},
		{"search", "2 chars + facets, distinct", search},
		{"ckan", "CKAN package_search, distinct", ckan},
	}
}

// distinctQueries builds search and CKAN paths that are all different:
// the most frequent two-character substrings of the synthetic titles,
// each with page_size (rows) from 10 to 29 and, for search, with no
// filter, an open-type or a format filter. The engine's work is the same
// whatever the page size, but a response cache keyed by the request
// cannot answer a request it has not seen.
func distinctQueries(count int, rng *rand.Rand) (search, ckan []string) {
	freq := map[string]int{}
	for _, d := range seed.Synthetic(min(count, 20000), 0) {
		r := []rune(d.Title)
		for i := 0; i+1 < len(r); i++ {
			if unicode.Is(unicode.Han, r[i]) && unicode.Is(unicode.Han, r[i+1]) {
				freq[string(r[i:i+2])]++
			}
		}
	}
	bigrams := make([]string, 0, len(freq))
	for b := range freq {
		bigrams = append(bigrams, b)
	}
	sort.Slice(bigrams, func(i, j int) bool {
		if freq[bigrams[i]] != freq[bigrams[j]] {
			return freq[bigrams[i]] > freq[bigrams[j]]
		}
		return bigrams[i] < bigrams[j]
	})
	bigrams = bigrams[:min(len(bigrams), 1000)]
	filters := []string{"", "&open_type=unconditional", "&format=CSV"}
	for _, b := range bigrams {
		q := url.QueryEscape(b)
		for size := 10; size < 30; size++ {
			for _, f := range filters {
				search = append(search, "/api/v1/datasets?q="+q+"&page_size="+strconv.Itoa(size)+f)
			}
			ckan = append(ckan, "/api/3/action/package_search?q="+q+"&rows="+strconv.Itoa(size))
		}
	}
	rng.Shuffle(len(search), func(i, j int) { search[i], search[j] = search[j], search[i] })
	rng.Shuffle(len(ckan), func(i, j int) { ckan[i], ckan[j] = ckan[j], ckan[i] })
	return search, ckan
}

// measure serves a copy of the seeded catalog with bin and drives every
// path with wrk.
func measure(label, bin, seeded, work string, paths []path, o options) (run, error) {
	r := run{label: label, results: map[string]measured{}}
	data := filepath.Join(work, label+"-data")
	if err := benchkit.CopyDir(seeded, data); err != nil {
		return r, err
	}
	defer os.RemoveAll(data)
	p, err := benchkit.Start(bin, env(data), filepath.Join(work, label+".log"))
	if err != nil {
		return r, err
	}
	defer p.Stop()
	if r.ready, err = p.WaitReady(10 * time.Minute); err != nil {
		return r, err
	}
	if err := p.WaitOutbox(30*time.Minute, os.Stdout); err != nil {
		return r, err
	}
	fmt.Printf("%s: pid %d ready in %s on %s\n", label, p.Pid(), r.ready.Round(time.Millisecond), p.Base)
	static, err := p.StaticAsset()
	if err != nil {
		return r, err
	}
	all := append([]path{{"static", "GET " + static, []string{static}}}, paths...)
	for _, e := range all {
		if err := check(p, e); err != nil {
			return r, err
		}
		script := filepath.Join(work, label+"-"+e.name+".lua")
		if err := os.WriteFile(script, benchkit.Script(e.paths, o.threads), 0o644); err != nil {
			return r, err
		}
		if o.warmup > 0 && e.name != "search" && e.name != "ckan" { // distinct queries: no warm-up that would answer them in advance
			if _, err := benchkit.Wrk(o.conns, o.threads, o.warmup, script, p.Base); err != nil {
				return r, err
			}
		}
		cpu0 := benchkit.CPUTime(p.Pid())
		res, err := benchkit.Wrk(o.conns, o.threads, o.duration, script, p.Base)
		if err != nil {
			return r, fmt.Errorf("%s: %w", e.name, err)
		}
		cpu := benchkit.CPUTime(p.Pid()) - cpu0
		r.results[e.name] = measured{res, float64(cpu.Microseconds()) / float64(max(1, res.Requests))}
		if (e.name == "search" || e.name == "ckan") && res.Requests > int64(len(e.paths)) {
			fmt.Printf("  note: %s sent %d requests over %d distinct paths: some repeated\n", e.name, res.Requests, len(e.paths))
		}
		if o.verbose {
			fmt.Printf("  %s %s: %.0f req/s\n", label, e.name, res.RPS())
		}
	}
	_, r.rss = benchkit.Memory(p.Pid())
	p.Stop()
	if b, err := os.ReadFile(p.Log); err == nil {
		r.errLog = strings.Count(string(b), "level=ERROR")
	}
	return r, nil
}

var sizeRe = regexp.MustCompile(`(page_size|rows)=\d+`)

var totalRe = regexp.MustCompile(`"(total|count)":\s*(\d+)`)

// check asks for a few paths of the rotation once: each must answer 200
// with the expected body, and most queries must match something.
func check(p *benchkit.Portal, e path) error {
	n := min(len(e.paths), 20)
	matched := 0
	for i := range n {
		u := e.paths[i*len(e.paths)/n]
		if e.name == "search" || e.name == "ckan" {
			u = sizeRe.ReplaceAllString(u, "${1}=30") // outside the rotation's 10–29: nothing cached in advance
		}
		code, body, err := p.Get(u)
		if err != nil {
			return err
		}
		if code != 200 {
			return fmt.Errorf("GET %s: HTTP %d: %.300s", u, code, body)
		}
		switch {
		case e.name == "detail":
			var j struct{ ID string }
			if json.Unmarshal(body, &j) != nil || !strings.HasSuffix(u, "/"+j.ID) {
				return fmt.Errorf("GET %s: not the entry", u)
			}
		case strings.HasPrefix(e.name, "web"):
			if !strings.Contains(string(body), "/datasets/syn-") {
				return fmt.Errorf("GET %s: no entries on the page", u)
			}
		case e.name == "static":
		default:
			if m := totalRe.FindSubmatch(body); m == nil {
				return fmt.Errorf("GET %s: no total or count in %.200s", u, body)
			} else if string(m[2]) != "0" {
				matched++
			}
			if strings.HasPrefix(e.name, "api-") && strings.Contains(string(body), `"items":[]`) {
				return fmt.Errorf("GET %s: no items", u)
			}
		}
	}
	if (e.name == "search" || e.name == "ckan") && matched < n/2 {
		return fmt.Errorf("%s: only %d of %d sampled queries match anything", e.name, matched, n)
	}
	return nil
}

func report(o options, commit string, paths []path, runs []run) {
	fmt.Printf("\n%d synthetic entries, wrk -c%d -t%d -d%s per path, %s, %s\n", o.count, o.conns, o.threads, o.duration, time.Now().UTC().Format("2006-01-02 15:04 MST"), loadavg())
	fmt.Printf("before = %s, after = working tree\n\n", commit[:12])
	fmt.Printf("%-10s %-32s", "path", "request")
	for _, r := range runs {
		fmt.Printf(" | %-6s %8s %9s %9s %7s %7s", r.label, "req/s", "p50", "p99", "÷static", "err")
	}
	fmt.Printf(" | %s\n", "after÷before")
	all := append([]path{{"static", "/static/css/site.css", nil}}, paths...)
	for _, e := range all {
		fmt.Printf("%-10s %-32s", e.name, e.what)
		for _, r := range runs {
			m := r.results[e.name]
			ref := r.results["static"].res.RPS()
			fmt.Printf(" | %-6s %8.0f %9s %9s %7.2f %7d", "", m.res.RPS(), benchkit.Dur(m.res.P50), benchkit.Dur(m.res.P99), m.res.RPS()/ref, m.res.Non2xx+m.res.Errors())
		}
		if len(runs) == 2 && runs[0].results[e.name].res.RPS() > 0 {
			fmt.Printf(" | %6.2f×", runs[1].results[e.name].res.RPS()/runs[0].results[e.name].res.RPS())
		}
		fmt.Println()
	}
	fmt.Println("\nCPU µs per answer (the portal process, user+system):")
	for _, e := range all {
		fmt.Printf("  %-10s", e.name)
		for _, r := range runs {
			fmt.Printf(" %s %7.0f", r.label, r.results[e.name].cpuUS)
		}
		fmt.Println()
	}
	for _, r := range runs {
		fmt.Printf("%s: start-up to ready %s, peak RSS %s, %d log lines at ERROR\n", r.label, r.ready.Round(time.Millisecond), benchkit.MB(r.rss), r.errLog)
	}
	fmt.Println("err: answers that were not 2xx plus socket errors and timeouts (wrk's 2 s).")
	for _, name := range []string{"search", "ckan"} {
		if e, ok := find(paths, name); ok {
			fmt.Printf("%s rotates over %d distinct requests.\n", name, len(e.paths))
		}
	}
}

func find(ps []path, name string) (path, bool) {
	for _, p := range ps {
		if p.name == name {
			return p, true
		}
	}
	return path{}, false
}

func mustFind(ps []path, name string) path { p, _ := find(ps, name); return p }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load ?"
	}
	f := strings.Fields(string(b))
	return "load " + strings.Join(f[:min(3, len(f))], " ")
}
