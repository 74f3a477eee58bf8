// Command benchsearch measures catalog search through HTTP on a portal
// holding N synthetic datasets: latency percentiles and throughput at a
// few concurrency levels, index build time and the server's peak RSS.
//
//	go run ./cmd/benchsearch -count 100000
//	go run ./cmd/benchsearch -peers -count 100000
//
// With -peers it instead compares, in this process, the portal's embedded
// engine with Bleve v2 (CJK analyzer) and SQLite FTS5 on the same
// synthetic documents and two-character queries with facets, and prints
// each one's build time, p50/p99 and ratio to the embedded engine
// (peers.go).
//
// It builds the portal binary, seeds a fresh data dir, starts the server on
// a loopback port, and only ever sends requests to that port. Every loop is
// bounded by a request count and a deadline.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	count := flag.Int("count", 100000, "synthetic datasets to seed")
	requests := flag.Int("requests", 2000, "requests per query kind and concurrency level")
	levels := flag.String("concurrency", "1,4,16", "concurrency levels")
	keep := flag.String("data", "", "reuse this data dir (seeded by a previous run) instead of a temp one")
	addr := flag.String("addr", "127.0.0.1:18099", "loopback address for the server")
	peers := flag.Bool("peers", false, "compare the embedded engine with Bleve and SQLite FTS5 in process instead")
	flag.Parse()
	if *peers {
		if err := runPeers(*count, *requests, []string{"企业", "公交", "医疗", "环境", "旅游", "信用", "数据", "哈尔"}); err != nil {
			fmt.Fprintln(os.Stderr, "benchsearch:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*count, *requests, *levels, *keep, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "benchsearch:", err)
		os.Exit(1)
	}
}

func run(count, requests int, levels, dataDir, addr string) error {
	if !strings.HasPrefix(addr, "127.") && !strings.HasPrefix(addr, "localhost:") {
		return fmt.Errorf("-addr must be a loopback address")
	}
	work, err := os.MkdirTemp("", "benchsearch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "portal")
	fmt.Println("building the portal…")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/portal").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	if dataDir == "" {
		dataDir = filepath.Join(work, "data")
	}
	env := append(os.Environ(), "PORTAL_DATA_DIR="+dataDir, "PORTAL_ADDR="+addr, "PORTAL_LOG_LEVEL=error", "PORTAL_SEED=demo", "PORTAL_DEMO_PASSWORD=benchmark-password-123")
	if _, err := os.Stat(filepath.Join(dataDir, "portal.db")); err != nil {
		fmt.Printf("seeding demo + %d synthetic datasets…\n", count)
		seed := exec.Command(bin, "seed", "synthetic", "--count", strconv.Itoa(count))
		seed.Env = env
		out, err := seed.CombinedOutput()
		if err != nil {
			return fmt.Errorf("seed: %v\n%s", err, out)
		}
		if m := regexp.MustCompile(`index rebuilt in (\S+)`).FindSubmatch(out); m != nil {
			fmt.Printf("index build (full rebuild of every public dataset): %s\n", m[1])
		}
	}
	srv := exec.Command(bin, "serve")
	srv.Env = env
	srv.Stdout, srv.Stderr = io.Discard, os.Stderr
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	base := "http://" + addr
	if err := waitReady(base, 5*time.Minute); err != nil {
		return err
	}
	var total struct {
		Total int `json:"total"`
	}
	if err := getJSON(base+"/api/v1/datasets?page_size=1", &total); err != nil {
		return err
	}
	fmt.Printf("serving %d public datasets; server pid %d\n\n", total.Total, srv.Process.Pid)

	kinds := []struct {
		name    string
		queries []string
	}{
		{"2-char query + facets", []string{"企业", "公交", "医疗", "学校", "环境", "交通", "食品", "旅游"}},
		{"4-char query + facets", []string{"企业登记", "公交线路", "医疗机构", "空气质量", "食品安全", "旅游景区", "道路运输", "社会保障"}},
		{"4-char query + topic filter", []string{"企业登记", "公交线路", "医疗机构", "空气质量"}},
	}
	fmt.Printf("%-30s %5s %9s %9s %9s %10s\n", "kind", "conc", "p50", "p99", "max", "req/s")
	for _, lv := range strings.Split(levels, ",") {
		conc, err := strconv.Atoi(strings.TrimSpace(lv))
		if err != nil || conc < 1 || conc > 256 {
			return fmt.Errorf("bad concurrency %q", lv)
		}
		for _, k := range kinds {
			urls := make([]string, len(k.queries))
			for i, q := range k.queries {
				u := base + "/api/v1/datasets?q=" + url.QueryEscape(q) + "&page_size=20"
				if strings.Contains(k.name, "topic") {
					u += "&topic=economy&topic=transport"
				}
				urls[i] = u
			}
			lat, elapsed, err := load(urls, requests, conc, 2*time.Minute)
			if err != nil {
				return err
			}
			fmt.Printf("%-30s %5d %9s %9s %9s %10.0f\n", k.name, conc, pct(lat, 50), pct(lat, 99), pct(lat, 100), float64(len(lat))/elapsed.Seconds())
		}
	}
	if rss, err := peakRSS(srv.Process.Pid); err == nil {
		fmt.Printf("\nserver peak RSS (VmHWM): %s\n", rss)
	}
	return nil
}

func waitReady(base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("server not ready after %s", limit)
}

func getJSON(u string, v any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// load sends n requests round-robin over urls from conc workers and
// returns each request's latency.
func load(urls []string, n, conc int, limit time.Duration) ([]time.Duration, time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	next := make(chan int)
	go func() {
		defer close(next)
		for i := 0; i < n; i++ {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, urls[i%len(urls)], nil)
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				d := time.Since(t0)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat, elapsed, firstErr
}

func pct(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	i := (len(sorted)*p + 99) / 100
	if i > 0 {
		i--
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i].Round(10 * time.Microsecond).String()
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
	return "", fmt.Errorf("no VmHWM")
}
