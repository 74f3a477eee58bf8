package embedded

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/search"
)

const benchDocs = 100_000

var bench struct {
	once sync.Once
	eng  *Engine
	dir  string
	err  error
}

// benchEngine builds one 100k-document engine shared by the benchmarks.
func benchEngine(b *testing.B) *Engine {
	bench.once.Do(func() {
		bench.dir, bench.err = os.MkdirTemp("", "search-bench-")
		if bench.err != nil {
			return
		}
		bench.eng, bench.err = Open(bench.dir)
		if bench.err != nil {
			return
		}
		bench.err = bench.eng.Rebuild(context.Background(), syntheticSource, nil)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.eng
}

// syntheticSource streams the benchmark catalog like a database cursor
// would, so memory figures are those of the index alone.
func syntheticSource(emit func(search.Document) error) error {
	return generateDocs(benchDocs, emit)
}

// BenchmarkSearch100k: text + one filter + three facet fields, the shape of
// the portal's search page. Reports mean ns/op plus p50/p99 latency.
func BenchmarkSearch100k(b *testing.B) {
	e := benchEngine(b)
	facets := []string{search.FieldTopic, search.FieldDepartment, search.FieldFormat}
	filter := map[string][]string{search.FieldOpenType: {"unconditional"}}
	twoChar := []string{"企业", "公交", "医疗", "环境", "旅游", "信用", "数据", "哈尔"}
	for _, c := range []struct {
		name       string
		queries    []string
		sort       string
		minQuality int
	}{
		{"2char", twoChar, "", 0},
		{"4char", []string{"企业登记", "空气质量", "医疗机构", "旅游景区", "社会组织", "行政处罚", "监测数据", "哈尔滨市"}, "", 0},
		{"browse", []string{""}, "", 0},
		// The catalog list's "good entries first" view: sort=quality&min_quality=60.
		{"2char-quality", twoChar, search.SortQuality, 60},
		{"browse-quality", []string{""}, search.SortQuality, 60},
	} {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			total := 0
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				q := search.Query{Text: c.queries[i%len(c.queries)], Filters: filter, Facets: facets, Limit: 20,
					Sort: c.sort, MinQuality: c.minQuality}
				start := time.Now()
				res, err := e.Search(context.Background(), q)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				total += res.Total
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
			b.ReportMetric(float64(total)/float64(len(lat)), "hits/op")
			reportMemory(b)
		})
	}
}

// BenchmarkRebuild100k rebuilds the full synthetic catalog over a loaded
// index: generation (~0.4 s of it), index build, snapshot write with
// fsync, swap.
func BenchmarkRebuild100k(b *testing.B) {
	e := benchEngine(b)
	for b.Loop() {
		if err := e.Rebuild(context.Background(), syntheticSource, nil); err != nil {
			b.Fatal(err)
		}
	}
	reportMemory(b)
}

// BenchmarkOpen100k reloads the engine from its snapshot, and reports the
// heap the opened index adds (open-heap-MB; the mapped snapshot is not
// heap) and its first search.
func BenchmarkOpen100k(b *testing.B) {
	benchEngine(b)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var added uint64
	var first time.Duration
	for b.Loop() {
		before := heap()
		e, err := Open(bench.dir)
		if err != nil {
			b.Fatal(err)
		}
		if n, _ := e.Count(context.Background()); n != benchDocs {
			b.Fatalf("reopened with %d docs", n)
		}
		b.StopTimer()
		added = max(heap()-before, 0)
		start := time.Now()
		if _, err := e.Search(context.Background(), search.Query{Text: "企业", Limit: 20, Facets: []string{search.FieldTopic}}); err != nil {
			b.Fatal(err)
		}
		first = time.Since(start)
		b.StartTimer()
		e.writeMu.Lock() // release files without the shared engine's state
		e.journal.close()
		e.writeMu.Unlock()
	}
	b.ReportMetric(float64(added)/(1<<20), "open-heap-MB")
	b.ReportMetric(float64(first.Microseconds()), "first-search-us")
}

func reportMemory(b *testing.B) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MB")
	if rss, hwm := procStatus("VmRSS:"), procStatus("VmHWM:"); rss > 0 {
		b.ReportMetric(rss/1024, "rss-MB")
		b.ReportMetric(hwm/1024, "peak-rss-MB")
	}
}

// procStatus reads a kB figure from /proc/self/status (Linux only).
func procStatus(key string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, key) {
			f := strings.Fields(line)
			if len(f) >= 2 {
				v, _ := strconv.ParseFloat(f[1], 64)
				return v
			}
		}
	}
	return 0
}

// BenchmarkBrowsePages100k: the catalog list without query text, page 1
// against page 500 (offset 9980) and a page reached by cursor, plain and
// with a filter, with the list's facet counts.
func BenchmarkBrowsePages100k(b *testing.B) {
	e := benchEngine(b)
	facets := []string{search.FieldTopic, search.FieldDepartment, search.FieldFormat}
	filter := map[string][]string{search.FieldOpenType: {"unconditional"}}
	for _, f := range []struct {
		name    string
		filters map[string][]string
	}{{"all", nil}, {"filtered", filter}} {
		base := search.Query{Filters: f.filters, Facets: facets, Limit: 20, Sort: search.SortUpdated}
		deep := base
		deep.Offset = 9980
		res, err := e.Search(context.Background(), deep)
		if err != nil || res.Next == "" {
			b.Fatalf("page 500: %v, Next %q", err, res.Next)
		}
		cursor := base
		cursor.After = res.Next // page 501, by cursor
		for _, c := range []struct {
			name string
			q    search.Query
		}{{"page1", base}, {"page500", deep}, {"cursor501", cursor}} {
			b.Run(f.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if res, err := e.Search(context.Background(), c.q); err != nil || len(res.Hits) != 20 {
						b.Fatalf("%v, %d hits", err, len(res.Hits))
					}
				}
			})
		}
	}
}
