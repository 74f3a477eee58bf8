// Command benchckan measures CKAN's package_search?q=企业 (make bench-ckan)
// on a synthetic catalog of 100,000 public entries, with wrk at 8
// connections: once answered by the search index (the path package_search
// takes) and once with the SQL path forced (ckan.SetForceSQL, the path it
// took before), printing p50/p99 latency, requests/s and the ratio. The
// goal (issue 17) is at least 20× the SQL path's requests/s.
//
// The portal is served in this process (so the switch can be flipped
// between runs) on a loopback port; wrk competes with it for the cores as
// a client on the same machine would. It is a benchmark, not a test: it
// exits 1 only when an answer is not the real one or wrk saw errors.
//
//	go run ./cmd/benchckan [-count 100000] [-c 8] [-t 2] [-d 15s] [-data dir -keep]
//
// It needs wrk (apt-get install -y wrk).
package main

import (
	"context"
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
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/ckan"
	"github.com/hlj-opendata/portal/server/config"
)

// goal is the ratio of the index path to the SQL path.
const goal = 20

func main() {
	count := flag.Int("count", 100000, "public catalog entries to generate")
	conns := flag.Int("c", 8, "wrk connections")
	threads := flag.Int("t", 2, "wrk threads")
	dur := flag.Duration("d", 15*time.Second, "wrk duration of the index path's measurement")
	durSQL := flag.Duration("dsql", 40*time.Second, "wrk duration of the SQL path's measurement (its requests take seconds at 100,000 entries)")
	query := flag.String("q", "企业", "the q measured")
	dataDir := flag.String("data", "", "reuse this data dir (loaded by a previous run with -keep)")
	keep := flag.Bool("keep", false, "keep the temporary data dir for -data")
	flag.Parse()
	if err := run(*count, *conns, *threads, *dur, *durSQL, *query, *dataDir, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "benchckan:", err)
		os.Exit(1)
	}
}

func run(count, conns, threads int, dur, durSQL time.Duration, query, dataDir string, keep bool) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed (apt-get install -y wrk)")
	}
	if count < 1 || count > 1_000_000 || conns < 1 || threads < 1 || dur <= 0 || durSQL <= 0 {
		return errors.New("-count (1..1,000,000), -c, -t, -d and -dsql must be positive")
	}
	if dataDir == "" {
		var err error
		if dataDir, err = os.MkdirTemp("", "benchckan-data-"); err != nil {
			return err
		}
		if keep {
			fmt.Printf("data dir kept: %s\n", dataDir)
		} else {
			defer os.RemoveAll(dataDir)
		}
	}
	env := map[string]string{"PORTAL_DATA_DIR": dataDir, "PORTAL_SEED": "none",
		"PORTAL_RATE_ANON": "0", "PORTAL_RATE_TOKEN": "0", "PORTAL_LOG_LEVEL": "error"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	ctx := context.Background()
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := load(ctx, a, count); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	target := "http://" + ln.Addr().String() + "/api/3/action/package_search?q=" + url.QueryEscape(query)

	// Both paths must give the same count: the figures compare like with like.
	counts := map[bool]int{}
	for _, force := range []bool{false, true} {
		ckan.SetForceSQL(force)
		n, err := check(target)
		if err != nil {
			return err
		}
		counts[force] = n
	}
	fmt.Printf("package_search?q=%s: %d matches from the index, %d from SQL, of %d entries\n", query, counts[false], counts[true], count)

	var res [2]result
	for i, force := range []bool{true, false} {
		ckan.SetForceSQL(force)
		name := map[bool]string{true: "before (SQL)", false: "after (index)"}[force]
		d := dur
		if force {
			d = durSQL
		}
		r, err := wrk(target, conns, threads, d)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		res[i] = r
		fmt.Printf("%-14s %9.2f req/s  p50 %9s  p99 %9s  (%d requests, %d non-2xx, %d socket errors)\n",
			name, r.rps, r.p50, r.p99, r.requests, r.non2xx, r.errors)
	}
	ckan.SetForceSQL(false)
	ratio := res[1].rps / max(res[0].rps, 0.001)
	verdict := "meets"
	if ratio < goal {
		verdict = "misses"
	}
	fmt.Printf("ratio: %.1f× the SQL path's req/s (%s the goal of %d×)\n", ratio, verdict, goal)
	if res[0].non2xx+res[1].non2xx+res[0].errors+res[1].errors > 0 {
		return errors.New("some answers were not 2xx or failed")
	}
	return nil
}

// check makes one request and returns package_search's count.
func check(target string) (int, error) {
	resp, err := http.Get(target)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var e struct {
		Success bool
		Result  struct{ Count int }
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 10<<20)).Decode(&e); err != nil || resp.StatusCode != 200 || !e.Success {
		return 0, fmt.Errorf("package_search: %d %v", resp.StatusCode, err)
	}
	if e.Result.Count == 0 {
		return 0, errors.New("package_search matches nothing: not a real measurement")
	}
	return e.Result.Count, nil
}

// load fills an empty catalog with count public entries of seed.Synthetic
// (as cmd/benchpages does: batched inserts, no fsync per file) and
// rebuilds the search index.
func load(ctx context.Context, a *app.App, count int) error {
	empty, err := a.Catalog.Store.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Println("the database already holds a catalog: reusing it")
		return nil
	}
	start := time.Now()
	demo := seed.Demo()
	var ds []seed.Dataset
	for offset := 0; len(ds) < count; offset += count {
		for _, d := range seed.Synthetic(count, offset) {
			if d.OpenType == "not_open" {
				continue
			}
			ds = append(ds, d)
			if len(ds) == count {
				break
			}
		}
	}
	if l, ok := a.Blobs.(*blob.Local); ok {
		l.NoSync = true // bulk benchmark data
	}
	last := time.Now()
	err = a.Catalog.LoadCatalog(ctx, seed.Catalog{Departments: demo.Departments, Topics: demo.Topics, Datasets: ds}, func(done, total int) {
		if time.Since(last) > 10*time.Second || done == total {
			fmt.Printf("  loaded %d/%d entries\n", done, total)
			last = time.Now()
		}
	})
	if err != nil {
		return err
	}
	loaded := time.Since(start)
	start = time.Now()
	if err := a.Catalog.Reindex(ctx, nil); err != nil {
		return err
	}
	fmt.Printf("catalog of %d public entries loaded in %s, indexed in %s\n", count, loaded.Round(time.Second), time.Since(start).Round(time.Second))
	return nil
}

type result struct {
	rps                      float64
	p50, p99                 time.Duration
	requests, non2xx, errors int
}

var (
	reRPS      = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reReqs     = regexp.MustCompile(`(\d+) requests in`)
	reNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	reSockErrs = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	rePct      = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.000)?%\s+([0-9.]+)(us|ms|s|m)\s*$`)
)

// wrk runs wrk with --latency and reads its summary.
func wrk(target string, conns, threads int, dur time.Duration) (result, error) {
	out, err := exec.Command("wrk", "-c", strconv.Itoa(conns), "-t", strconv.Itoa(min(threads, conns)), "-d", dur.String(),
		"--timeout", "60s", "--latency", target).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	s := string(out)
	var r result
	m := reRPS.FindStringSubmatch(s)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk's output:\n%s", s)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	if m := reReqs.FindStringSubmatch(s); m != nil {
		r.requests, _ = strconv.Atoi(m[1])
	}
	if m := reNon2xx.FindStringSubmatch(s); m != nil {
		r.non2xx, _ = strconv.Atoi(m[1])
	}
	if m := reSockErrs.FindStringSubmatch(s); m != nil {
		for _, x := range m[1:] {
			n, _ := strconv.Atoi(x)
			r.errors += n
		}
	}
	for _, m := range rePct.FindAllStringSubmatch(s, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute}[m[3]]
		d := time.Duration(v * float64(unit)).Round(10 * time.Microsecond)
		if m[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if r.p50 == 0 || r.p99 == 0 {
		return r, fmt.Errorf("no latency distribution in wrk's output:\n%s", strings.TrimSpace(s))
	}
	return r, nil
}
