// Command benchdl measures the portal's download path (make bench-download):
// the throughput of a large stored file from the portal versus nginx
// serving the same file on loopback, and CSV → JSON/XLSX conversion
// throughput with the process's peak RSS growth. It is a benchmark, not a
// test: it prints figures and never fails on them.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/config"
)

func main() {
	sizeMB := flag.Int("size-mb", 1024, "size of the generated CSV")
	convMB := flag.Int("convert-mb", 0, "size used for the conversions (default: same file)")
	runs := flag.Int("runs", 7, "downloads per server, alternating portal and nginx")
	flag.Parse()
	dir, err := os.MkdirTemp("", "benchdl-")
	check(err)
	defer os.RemoveAll(dir)

	csvPath := filepath.Join(dir, "big.csv")
	fmt.Printf("generating %d MB CSV…\n", *sizeMB)
	check(writeCSV(csvPath, int64(*sizeMB)<<20))

	cfg, err := config.Load(func(k string) string {
		return map[string]string{"PORTAL_DATA_DIR": filepath.Join(dir, "data"), "PORTAL_SEED": "none", "PORTAL_RATE_ANON": "0", "PORTAL_RATE_TOKEN": "0"}[k]
	})
	check(err)
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	check(err)
	defer a.Close()
	ctx := context.Background()
	res := addResource(ctx, a, csvPath, "res-big")
	if *convMB > 0 && *convMB != *sizeMB {
		small := filepath.Join(dir, "conv.csv")
		check(writeCSV(small, int64(*convMB)<<20))
		addResource(ctx, a, small, "res-conv")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	go http.Serve(ln, a.Handler())
	portal := "http://" + ln.Addr().String()
	blobPath := filepath.Join(cfg.DataDir, "files", filepath.FromSlash(res.StorageKey))

	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average before the runs: %s", b) // other work on the machine skews the figures
	}
	fmt.Printf("\nfile: %d bytes, %d alternating runs per server after one warm-up each, client %s\n", res.Size, *runs, *clientFlag)
	portalURL := portal + "/api/v1/resources/res-big/download"
	ng, stop := startNginx(dir, blobPath)
	if ng == "" {
		fmt.Println("nginx   : not installed (apt-get install nginx), no ratio")
	} else {
		defer stop()
	}
	fetch := get
	if *clientFlag == "curl" {
		fetch = curl
	}
	var pt, nt []float64
	fetch(portalURL)
	if ng != "" {
		fetch(ng + "/big.csv")
	}
	for i := 0; i < *runs; i++ {
		pt = append(pt, speed(fetch, portalURL))
		if ng != "" {
			nt = append(nt, speed(fetch, ng+"/big.csv"))
		}
	}
	fmt.Printf("portal  : median %7.1f MB/s, best %7.1f MB/s\n", median(pt), slices.Max(pt))
	if ng != "" {
		fmt.Printf("nginx   : median %7.1f MB/s, best %7.1f MB/s\n", median(nt), slices.Max(nt))
		fmt.Printf("ratio   : median %7.2f, best %.2f (portal / nginx)\n", median(pt)/median(nt), slices.Max(pt)/slices.Max(nt))
	}

	conv := "res-big"
	if *convMB > 0 && *convMB != *sizeMB {
		conv = "res-conv"
	}
	fmt.Println()
	for _, f := range []string{"json", "json&json=ndjson", "csv&bom=true", "xml", "xlsx"} {
		base := rss()
		peak := base
		done := make(chan struct{})
		go func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
					if r := rss(); r > peak {
						peak = r
					}
				}
			}
		}()
		start := time.Now()
		n := get(portal + "/api/v1/resources/" + conv + "/download?format=" + f)
		el := time.Since(start)
		close(done)
		var in int64
		var r catalog.Resource
		a.DB.First(&r, "id = ?", conv)
		in = r.Size
		fmt.Printf("csv→%-16s: %7.1f MB/s of CSV in (%d MB in, %d MB out, %s), RSS growth %d MB\n", f, float64(in)/1e6/el.Seconds(), in>>20, n>>20, el.Round(time.Millisecond), (peak-base)>>20)
	}
}

func addResource(ctx context.Context, a *app.App, path, id string) catalog.Resource {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	st, err := a.Blobs.Put(ctx, f, 0)
	check(err)
	now := time.Now().UTC().Truncate(time.Second)
	db := a.DB
	db.Exec("INSERT INTO departments (id, name, region_level, region, created_at) VALUES ('bench', '基准测试部门', 'province', '黑龙江省', ?) ON CONFLICT DO NOTHING", now)
	db.Exec("INSERT INTO topics (id, name, name_en, sort_order) VALUES ('bench', '基准', 'Bench', 0) ON CONFLICT DO NOTHING")
	ds := catalog.Dataset{ID: "ds-" + id, Title: "基准 " + id, DepartmentID: "bench", TopicID: "bench", OpenType: catalog.Unconditional,
		UpdateFrequency: "daily", Status: catalog.StatusPublished, Version: 1, UpdatedAt: now, CreatedAt: now,
		DataItems: []catalog.DataItem{{Name: "id", Label: "编号", Type: "integer"}, {Name: "name", Label: "名称", Type: "string"},
			{Name: "amount", Label: "金额", Type: "number"}, {Name: "day", Label: "日期", Type: "date"}, {Name: "note", Label: "备注", Type: "string"}},
		Resources: []catalog.Resource{{ID: id, Name: "基准文件", Format: "CSV", MediaType: catalog.MediaTypes["CSV"], Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key, CreatedAt: now, UpdatedAt: now}}}
	check(db.Omit("Department", "Topic").Create(&ds).Error)
	return ds.Resources[0]
}

func writeCSV(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := make([]byte, 0, 1<<20)
	w = append(w, "id,name,amount,day,note\n"...)
	var n int64
	for i := 1; n < size; i++ {
		w = append(w, strconv.Itoa(i)...)
		w = append(w, ",哈尔滨市某某有限公司"...)
		w = append(w, strconv.Itoa(i%97)...)
		w = append(w, ',')
		w = append(w, strconv.FormatFloat(float64(i%100000)/7, 'f', 2, 64)...)
		w = append(w, ",2024-0"...)
		w = append(w, byte('1'+i%9))
		w = append(w, "-15,\"备注, 含逗号与\"\"引号\"\"\"\n"...)
		if len(w) > 1<<20-200 {
			k, err := f.Write(w)
			if err != nil {
				return err
			}
			n += int64(k)
			w = w[:0]
		}
	}
	_, err = f.Write(w)
	return err
}

var clientFlag = flag.String("client", "curl", "downloader for the throughput runs: curl (a separate process, as a real client) or go (in this process)")

// curl downloads url with curl(1) into /dev/null and returns the bytes received.
func curl(url string) int64 {
	out, err := exec.Command("curl", "-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download}", url).Output()
	check(err)
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	check(err)
	return n
}

func get(url string) int64 {
	resp, err := http.Get(url)
	check(err)
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		check(fmt.Errorf("%s: %d %s", url, resp.StatusCode, b))
	}
	n, err := io.Copy(io.Discard, resp.Body)
	check(err)
	return n
}

// speed downloads url once and returns MB/s.
func speed(fetch func(string) int64, url string) float64 {
	start := time.Now()
	n := fetch(url)
	return float64(n) / 1e6 / time.Since(start).Seconds()
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func startNginx(dir, file string) (string, func()) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		return "", nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	root := filepath.Join(dir, "nginx")
	check(os.MkdirAll(root, 0o755))
	check(os.Symlink(file, filepath.Join(root, "big.csv")))
	conf := filepath.Join(dir, "nginx.conf")
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must read the portal's data folder
	}
	check(os.WriteFile(conf, []byte(user+fmt.Sprintf(`daemon off; worker_processes 1; pid %s/nginx.pid; error_log %s/error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; sendfile_max_chunk 0; tcp_nopush on; client_body_temp_path %s; proxy_temp_path %s; fastcgi_temp_path %s; uwsgi_temp_path %s; scgi_temp_path %s;
  server { listen 127.0.0.1:%d; root %s; location / { } } }
`, dir, dir, dir, dir, dir, dir, dir, port, root)), 0o644))
	cmd := exec.Command(bin, "-c", conf, "-p", dir)
	cmd.Stderr = os.Stderr
	check(cmd.Start())
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return url, func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }
}

// rss is the process's resident set size in bytes.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchdl:", err)
		os.Exit(1)
	}
}
