package embedded

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/search"
)

// BenchmarkScale1M builds a 1,000,000-document index, reopens it from its
// snapshot and searches it: build time, snapshot size, open time, heap and
// RSS after open, 2-character search p50/p99 and deep browsing. It needs
// several minutes and a few GB, so it runs only with PORTAL_BENCH_1M=1
// (e.g. go test ./search/embedded -run '^$' -bench Scale1M -benchtime 1x).
func BenchmarkScale1M(b *testing.B) {
	if os.Getenv("PORTAL_BENCH_1M") != "1" {
		b.Skip("set PORTAL_BENCH_1M=1 to run the 1M-document scale benchmark")
	}
	const n = 1_000_000
	ctx := context.Background()
	// PORTAL_BENCH_1M_DIR keeps the index between runs: a run finding a
	// snapshot there measures opening and searching only.
	dir := os.Getenv("PORTAL_BENCH_1M_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	for b.Loop() {
		e, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if c, _ := e.Count(ctx); c != n {
			start := time.Now()
			if err := e.Rebuild(ctx, func(emit func(search.Document) error) error { return generateDocs(n, emit) }, nil); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(start).Seconds(), "build-s")
		}
		e.Close()
		if fi, err := os.Stat(filepath.Join(dir, snapshotName)); err == nil {
			b.ReportMetric(float64(fi.Size())/(1<<20), "snapshot-MB")
		}
		e = nil
		runtime.GC()
		releaseMemory()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		before := m.HeapAlloc

		start := time.Now()
		e, err = Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "open-ms")
		runtime.GC()
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(m.HeapAlloc-min(before, m.HeapAlloc))/(1<<20), "open-heap-MB")

		facets := []string{search.FieldTopic, search.FieldDepartment, search.FieldFormat}
		filter := map[string][]string{search.FieldOpenType: {"unconditional"}}
		twoChar := []string{"企业", "公交", "医疗", "环境", "旅游", "信用", "数据", "哈尔"}
		var lat []time.Duration
		for i := range 400 {
			q := search.Query{Text: twoChar[i%len(twoChar)], Filters: filter, Facets: facets, Limit: 20}
			t0 := time.Now()
			if _, err := e.Search(ctx, q); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "search-p50-us")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "search-p99-us")
		page := func(q search.Query) time.Duration {
			t0 := time.Now()
			for range 20 {
				if _, err := e.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			return time.Since(t0) / 20
		}
		b.ReportMetric(float64(page(search.Query{Limit: 20, Facets: facets}).Microseconds()), "page1-us")
		b.ReportMetric(float64(page(search.Query{Limit: 20, Offset: 9980, Facets: facets}).Microseconds()), "page500-us")
		if rss := procStatus("VmRSS:"); rss > 0 {
			b.ReportMetric(rss/1024, "rss-MB")
			b.ReportMetric(procStatus("VmHWM:")/1024, "peak-rss-MB")
		}
		e.Close()
	}
}
