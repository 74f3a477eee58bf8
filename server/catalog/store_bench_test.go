package catalog_test

import (
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/catalog"
)

// queryCounter is a GORM logger that counts the statements run through it.
type queryCounter struct {
	logger.Interface
	n atomic.Int64
}

func (q *queryCounter) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	q.n.Add(1)
}

func (q *queryCounter) LogMode(logger.LogLevel) logger.Interface { return q }

// cpuTime is the CPU time this process has used (user + system): on a
// shared machine it measures the work better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countingStore is a Store over db whose statements are counted.
func countingStore(db *gorm.DB) (*catalog.Store, *queryCounter) {
	c := &queryCounter{Interface: logger.Discard}
	return &catalog.Store{DB: db.Session(&gorm.Session{Logger: c})}, c
}

// BenchmarkStore measures the store's detail and list reads on a catalog
// of PORTAL_BENCH_STORE_N synthetic entries (default 10000). It loads the
// catalog first, which takes a while, so it is skipped unless
// PORTAL_BENCH_STORE=1 (PORTAL_BENCH_STORE_ENGINE=mysql runs it on the
// PORTAL_TEST_MYSQL_DSN server):
//
//	PORTAL_BENCH_STORE=1 go test ./server/catalog -run '^$' -bench BenchmarkStore -benchtime 3000x
func BenchmarkStore(b *testing.B) {
	if os.Getenv("PORTAL_BENCH_STORE") != "1" {
		b.Skip("set PORTAL_BENCH_STORE=1 to run the store benchmark (it seeds a synthetic catalog first)")
	}
	n := 10000
	if v := os.Getenv("PORTAL_BENCH_STORE_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("PORTAL_BENCH_STORE_N=%q: want a number ≥ 100", v)
		}
	}
	engine := os.Getenv("PORTAL_BENCH_STORE_ENGINE") // "mysql" with PORTAL_TEST_MYSQL_DSN
	p := apptest.New(b, apptest.Options{Engine: engine, NoWorkers: true})
	if l, ok := p.Blobs.(*blob.Local); ok {
		l.NoSync = true
	}
	demo := seed.Demo()
	cat := seed.Catalog{Departments: demo.Departments, Topics: demo.Topics, Datasets: seed.Synthetic(n, 0)}
	ctx := context.Background()
	start := time.Now()
	if err := p.Catalog.LoadCatalog(ctx, cat, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d entries in %s", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := p.Catalog.Reindex(ctx, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("reindexed %d entries in %s", n, time.Since(start).Round(time.Millisecond))
	ids := make([]string, n)
	for i, d := range cat.Datasets {
		ids[i] = d.ID
	}
	st, counter := countingStore(p.DB)

	b.Run("detail", func(b *testing.B) {
		counter.n.Store(0)
		cpu := cpuTime()
		for i := 0; b.Loop(); i++ {
			id := ids[(i*7919)%n]
			d, err := st.Dataset(ctx, id)
			if err != nil || d.ID != id || len(d.Resources) == 0 || d.Department.ID == "" {
				b.Fatalf("dataset %s: %v", id, err)
			}
		}
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(counter.n.Load())/float64(b.N), "queries/op")
	})
	b.Run("list20", func(b *testing.B) {
		counter.n.Store(0)
		page := make([]string, 20)
		cpu := cpuTime()
		for i := 0; b.Loop(); i++ {
			for j := range page {
				page[j] = ids[((i*20+j)*7919)%n]
			}
			m, err := st.DatasetsByID(ctx, page)
			if err != nil || len(m) == 0 {
				b.Fatalf("list: %v (%d)", err, len(m))
			}
		}
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(counter.n.Load())/float64(b.N), "queries/op")
	})
	// The reindex walk: every public entry in batches of 1000, once.
	counter.n.Store(0)
	start, cpu := time.Now(), cpuTime()
	after, walked := "", 0
	for {
		list, err := st.PublicDatasetsForIndex(ctx, after, 1000)
		if err != nil {
			b.Fatal(err)
		}
		if len(list) == 0 {
			break
		}
		walked += len(list)
		after = list[len(list)-1].ID
	}
	b.Logf("index walk: %d public entries in %s (CPU %s), %d queries", walked, time.Since(start).Round(time.Millisecond), (cpuTime() - cpu).Round(time.Millisecond), counter.n.Load())
}
