package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hlj-opendata/portal/cmd/internal/benchkit"
)

// point is the cost of one catalog size.
type point struct {
	count                int
	seed, index, reindex time.Duration
	indexBytes, dbBytes  int64
	ready                time.Duration
	rssIdle, rssLoad     int64
	p50, p99             time.Duration
	detail               benchkit.Result
	settle               time.Duration // start-up outbox work after ready
	backlog              int64         // outbox events left when measured (0: settled)
}

var (
	indexRebuiltRe = regexp.MustCompile(`index rebuilt in (\S+)`)
	indexedRe      = regexp.MustCompile(`indexed \d+ datasets in (\S+)`)
)

// runScale measures the working tree at each count: seed (load + index),
// a full `portal reindex`, the index and database on disk, start-up to
// ready, RSS idle and under load, search p50/p99 at concurrency 1 and
// detail req/s with wrk. Nothing is cached: seeding is one of the measures.
func runScale(o options) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed (apt-get install -y wrk)")
	}
	var counts []int
	for _, s := range strings.Split(o.scale, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1_000_000 {
			return fmt.Errorf("-scale: %q is not a count from 1 to 1,000,000", s)
		}
		counts = append(counts, n)
	}
	work, err := os.MkdirTemp("", "benchread-scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "portal")
	fmt.Println("building the working tree…")
	if err := benchkit.Build(".", bin); err != nil {
		return err
	}
	var pts []point
	for _, n := range counts {
		pt, err := scalePoint(bin, work, n, o)
		if err != nil {
			return fmt.Errorf("%d entries: %w", n, err)
		}
		pts = append(pts, pt)
	}
	scaleReport(o, pts)
	return nil
}

func portalCmd(bin, data string, args ...string) ([]byte, time.Duration, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	for k, v := range env(data) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, 0, fmt.Errorf("portal %s: %v\n%s", strings.Join(args, " "), err, tail(out))
	}
	return out, time.Since(start), nil
}

func scalePoint(bin, work string, n int, o options) (point, error) {
	pt := point{count: n}
	data := filepath.Join(work, fmt.Sprintf("data-%d", n))
	defer os.RemoveAll(data)
	fmt.Printf("%d: seeding…\n", n)
	out, took, err := portalCmd(bin, data, "seed", "synthetic", "--count", strconv.Itoa(n))
	if err != nil {
		return pt, err
	}
	pt.seed = took
	if m := indexRebuiltRe.FindSubmatch(out); m != nil {
		pt.index, _ = time.ParseDuration(string(m[1]))
	}
	fmt.Printf("%d: seeded in %s; reindexing…\n", n, took.Round(time.Millisecond))
	if out, took, err = portalCmd(bin, data, "reindex"); err != nil {
		return pt, err
	}
	pt.reindex = took
	if m := indexedRe.FindSubmatch(out); m != nil {
		pt.reindex, _ = time.ParseDuration(string(m[1]))
	}
	pt.indexBytes = benchkit.DirSize(filepath.Join(data, "search"))
	for _, f := range []string{"portal.db", "portal.db-wal"} {
		if fi, err := os.Stat(filepath.Join(data, f)); err == nil {
			pt.dbBytes += fi.Size()
		}
	}
	p, err := benchkit.Start(bin, env(data), filepath.Join(work, fmt.Sprintf("scale-%d.log", n)))
	if err != nil {
		return pt, err
	}
	defer p.Stop()
	if pt.ready, err = p.WaitReady(10 * time.Minute); err != nil {
		return pt, err
	}
	// The start-up sweep (file profiles, quality scores) goes through the
	// outbox: wait for it within -settle, else measure beside it and say so.
	settle := time.Now()
	if err := p.WaitOutbox(o.settle, os.Stdout); err != nil {
		if pt.backlog, err = p.Backlog(); err != nil {
			return pt, err
		}
		fmt.Printf("%d: outbox not settled after %s: measuring beside %d events\n", n, o.settle, pt.backlog)
	}
	pt.settle = time.Since(settle)
	time.Sleep(2 * time.Second)
	pt.rssIdle, _ = benchkit.Memory(p.Pid())
	fmt.Printf("%d: ready in %s, RSS idle %s; searching…\n", n, pt.ready.Round(time.Millisecond), benchkit.MB(pt.rssIdle))

	paths := readPaths(n)
	search := mustFind(paths, "search").paths
	lat, err := sequential(p.Base, search, o.requests)
	if err != nil {
		return pt, err
	}
	pt.p50, pt.p99 = lat[len(lat)*50/100], lat[min(len(lat)-1, len(lat)*99/100)]

	// Detail under wrk, sampling the resident set meanwhile.
	script := filepath.Join(work, "detail.lua")
	if err := os.WriteFile(script, benchkit.Script(mustFind(paths, "detail").paths, o.threads), 0o644); err != nil {
		return pt, err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if r, _ := benchkit.Memory(p.Pid()); r > pt.rssLoad {
					pt.rssLoad = r
				}
			}
		}
	}()
	pt.detail, err = benchkit.Wrk(o.conns, o.threads, o.duration, script, p.Base)
	close(stop)
	wg.Wait()
	if err != nil {
		return pt, err
	}
	if _, hwm := benchkit.Memory(p.Pid()); hwm > pt.rssLoad {
		pt.rssLoad = hwm // the peak, including the start-up
	}
	return pt, nil
}

// sequential sends n requests one after another over distinct paths and
// returns the sorted latencies; any answer but 200 is an error.
func sequential(base string, paths []string, n int) ([]time.Duration, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	lat := make([]time.Duration, 0, n)
	for i := range n {
		t0 := time.Now()
		resp, err := client.Get(base + paths[i%len(paths)])
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: HTTP %d", paths[i%len(paths)], resp.StatusCode)
		}
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat, nil
}

func scaleReport(o options, pts []point) {
	fmt.Printf("\ncost curve of the working tree, %s, %s; search: %d sequential distinct 2-char queries with facets; detail: wrk -c%d -t%d -d%s\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), loadavg(), o.requests, o.conns, o.threads, o.duration)
	rows := []struct {
		name string
		v    func(point) float64
		f    func(float64) string
	}{
		{"seed (load + index)", func(p point) float64 { return p.seed.Seconds() }, secs},
		{"  of which index build", func(p point) float64 { return p.index.Seconds() }, secs},
		{"full reindex", func(p point) float64 { return p.reindex.Seconds() }, secs},
		{"index on disk", func(p point) float64 { return float64(p.indexBytes) }, bytes},
		{"database on disk", func(p point) float64 { return float64(p.dbBytes) }, bytes},
		{"start-up to ready", func(p point) float64 { return p.ready.Seconds() }, secs},
		{"then start-up outbox", func(p point) float64 { return p.settle.Seconds() }, secs},
		{"RSS idle", func(p point) float64 { return float64(p.rssIdle) }, bytes},
		{"RSS peak (load)", func(p point) float64 { return float64(p.rssLoad) }, bytes},
		{"search p50 (c=1)", func(p point) float64 { return p.p50.Seconds() }, secs},
		{"search p99 (c=1)", func(p point) float64 { return p.p99.Seconds() }, secs},
		{"detail req/s (c=8)", func(p point) float64 { return p.detail.RPS() }, func(v float64) string { return fmt.Sprintf("%.0f", v) }},
	}
	fmt.Printf("%-24s", "measure")
	for _, p := range pts {
		fmt.Printf(" %12d", p.count)
	}
	fmt.Printf("   %s\n", "growth exponent (×10 entries → ×10^k)")
	for _, r := range rows {
		fmt.Printf("%-24s", r.name)
		for _, p := range pts {
			fmt.Printf(" %12s", r.f(r.v(p)))
		}
		var ks []string
		for i := 1; i < len(pts); i++ {
			a, b := r.v(pts[i-1]), r.v(pts[i])
			if a > 0 && b > 0 && pts[i].count != pts[i-1].count {
				ks = append(ks, fmt.Sprintf("%.2f", math.Log(b/a)/math.Log(float64(pts[i].count)/float64(pts[i-1].count))))
			}
		}
		fmt.Printf("   %s\n", strings.Join(ks, ", "))
	}
	fmt.Println("\nk = 1: linear; k = 0: flat; k > 1: superlinear. The start-up outbox work (file profiles, quality")
	fmt.Println("scores) follows ready; the other measures are taken after it unless -settle ran out.")
	for _, p := range pts {
		fmt.Printf("  %d: detail errors (non-2xx + socket + timeouts) %d", p.count, p.detail.Non2xx+p.detail.Errors())
		if p.backlog > 0 {
			fmt.Printf("; measured beside %d outbox events", p.backlog)
		}
		fmt.Println()
	}
}

func secs(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

func bytes(b float64) string { return fmt.Sprintf("%.1f MB", b/(1<<20)) }
