// Command benchpreview measures the dataset page's preview on a big table
// (make bench-preview): latency percentiles of GET /resources/{id}/preview
// through HTTP on a table of -rows rows (default 2,000,000) for the first
// page, deep pages, a filter and a sort, each against the process's own
// static asset (/static/css/site.css) measured in the same run, because
// this machine is shared and absolute times swing. It prints figures and
// never fails on them: it is a benchmark, not a test.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/config"
)

func main() {
	rows := flag.Int("rows", 2_000_000, "rows of the generated table")
	n := flag.Int("n", 200, "requests per cheap kind (first page, deep pages, static)")
	slow := flag.Int("slow", 10, "requests per scanning kind (filter, sort)")
	dsn := flag.String("db", "", "PORTAL_DB_DSN (default: embedded SQLite)")
	flag.Parse()
	dir, err := os.MkdirTemp("", "benchpreview-")
	check(err)
	defer os.RemoveAll(dir)
	csvPath := filepath.Join(dir, "big.csv")
	check(writeCSV(csvPath, *rows))

	env := map[string]string{"PORTAL_DATA_DIR": filepath.Join(dir, "data"), "PORTAL_SEED": "none", "PORTAL_RATE_ANON": "0", "PORTAL_RATE_TOKEN": "0", "PORTAL_DB_DSN": *dsn}
	cfg, err := config.Load(func(k string) string { return env[k] })
	check(err)
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	check(err)
	defer a.Close()
	ctx := context.Background()
	id := "res-preview-" + strconv.FormatInt(time.Now().Unix(), 36)
	addResource(ctx, a, csvPath, id)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	go http.Serve(ln, a.Handler())
	base := "http://" + ln.Addr().String()
	preview := base + "/api/v1/resources/" + id + "/preview"

	start := time.Now()
	// The first call loads the table (publication does it through the outbox).
	for {
		code, _ := get(preview)
		if code == 200 {
			break
		}
		if code != 503 {
			fmt.Fprintf(os.Stderr, "first preview: HTTP %d\n", code)
			os.Exit(1)
		}
		time.Sleep(time.Second)
	}
	fmt.Printf("table of %d rows loaded in %s (engine %s)\n\n", *rows, time.Since(start).Round(time.Second), a.DB.Dialector.Name())

	r := rand.New(rand.NewPCG(1, 2))
	kinds := []struct {
		name  string
		count int
		url   func() string
	}{
		{"static asset (reference)", *n, func() string { return base + "/static/css/site.css" }},
		{"first page (50 rows)", *n, func() string { return preview }},
		{"page at offset ≤ 10000", *n, func() string { return preview + "?offset=" + strconv.Itoa(r.IntN(10001)) }},
		{"filter name = value", *slow, func() string {
			return preview + "?filters=" + url.QueryEscape(`{"name":"哈尔滨市某某有限公司`+strconv.Itoa(r.IntN(97))+`"}`)
		}},
		{"sort by amount desc", *slow, func() string { return preview + "?sort=-amount" }},
	}
	var ref time.Duration
	fmt.Printf("%-28s %6s %10s %10s %10s\n", "kind", "n", "p50", "p99", "p99/ref")
	for _, k := range kinds {
		var lat []time.Duration
		for i := 0; i < k.count; i++ {
			t0 := time.Now()
			code, _ := get(k.url())
			d := time.Since(t0)
			if code != 200 {
				fmt.Printf("%s: HTTP %d\n", k.name, code)
				continue
			}
			lat = append(lat, d)
		}
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		p50, p99 := lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
		if ref == 0 {
			ref = p99
		}
		fmt.Printf("%-28s %6d %10s %10s %9.1fx\n", k.name, len(lat), p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), float64(p99)/float64(ref))
	}
}

func get(u string) (int, int64) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, n
}

func addResource(ctx context.Context, a *app.App, path, id string) {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	st, err := a.Blobs.Put(ctx, f, 0)
	check(err)
	now := time.Now().UTC().Truncate(time.Second)
	check(a.DB.Save(&catalog.Department{ID: "bench", Name: "基准测试部门", RegionLevel: "province", Region: "黑龙江省", CreatedAt: now}).Error)
	check(a.DB.Save(&catalog.Topic{ID: "bench", Name: "基准", NameEN: "Bench"}).Error)
	ds := catalog.Dataset{ID: "ds-" + id, Title: "基准 " + id, DepartmentID: "bench", TopicID: "bench", OpenType: catalog.Unconditional,
		UpdateFrequency: "daily", Status: catalog.StatusPublished, Version: 1, UpdatedAt: now, CreatedAt: now,
		DataItems: []catalog.DataItem{{Name: "id", Label: "编号", Type: "integer"}, {Name: "name", Label: "名称", Type: "string"},
			{Name: "amount", Label: "金额", Type: "number"}, {Name: "day", Label: "日期", Type: "date"}},
		Resources: []catalog.Resource{{ID: id, Name: "基准文件", Format: "CSV", MediaType: catalog.MediaTypes["CSV"], Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key, CreatedAt: now, UpdatedAt: now}}}
	check(a.DB.Omit("Department", "Topic").Create(&ds).Error)
}

func writeCSV(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := make([]byte, 0, 1<<20)
	w = append(w, "id,name,amount,day\n"...)
	for i := 1; i <= rows; i++ {
		w = strconv.AppendInt(w, int64(i), 10)
		w = append(w, ",哈尔滨市某某有限公司"...)
		w = strconv.AppendInt(w, int64(i%97), 10)
		w = append(w, ',')
		w = strconv.AppendFloat(w, float64(i%100000)/7, 'f', 2, 64)
		w = append(w, ",2024-0"...)
		w = append(w, byte('1'+i%9))
		w = append(w, "-15\n"...)
		if len(w) > 1<<20-200 {
			if _, err := f.Write(w); err != nil {
				return err
			}
			w = w[:0]
		}
	}
	_, err = f.Write(w)
	return err
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
