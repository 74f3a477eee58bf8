// Command benchprofile measures the profiling engine (server/profile) on
// a large CSV: the throughput of a plain encoding/csv read of the file,
// that of profile.Run on the same file, their ratio, and the memory the
// profile costs (peak RSS growth from /proc/self/status, peak HeapInuse
// sampled meanwhile). It exits non-zero when the profile needs more than
// 64 MiB of RSS or runs at less than half the plain read's speed, the
// goals of issue 14. It is a benchmark, not a test: go test never runs it.
//
//	go run ./cmd/benchprofile -size 1024
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/profile"
)

const (
	maxRSSGrowth = 64 << 20
	minRatio     = 0.5
)

func main() {
	sizeMB := flag.Int("size", 1024, "size of the generated CSV in MiB")
	file := flag.String("file", "", "profile this CSV instead of generating one (no data items declared, unless benchprofile -keep made it)")
	dir := flag.String("dir", os.TempDir(), "directory for the generated CSV and the profile's run files")
	keep := flag.Bool("keep", false, "keep the generated CSV")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the first profile.Run to this file")
	runs := flag.Int("runs", 3, "alternating runs of each measure; the best counts")
	flag.Parse()

	path, items := *file, []profile.Item(nil)
	if path == "" {
		path = filepath.Join(*dir, fmt.Sprintf("benchprofile-%d.csv", *sizeMB))
		fmt.Printf("generating %d MiB CSV in %s…\n", *sizeMB, path)
		items = benchItems
		check(generate(path, int64(*sizeMB)<<20))
		if !*keep {
			defer os.Remove(path)
		}
	}
	if *file != "" && firstLine(path) == genHeader {
		items = benchItems // a file generated (and kept) by an earlier run
	}
	st, err := os.Stat(path)
	check(err)
	mb := float64(st.Size()) / (1 << 20)

	// The plain read comes first: it also brings the file into the page
	// cache, so that no measure pays for the disk. Runs alternate and the
	// best of each counts, as other work on the machine only slows runs.
	var plain, prof time.Duration
	var plainCPU, profCPU time.Duration // CPU time of the fastest runs
	var rows, fields int64
	var res *profile.Result
	var growth int64
	var heapPeak atomic.Uint64
	for run := range *runs {
		start, cpu := time.Now(), cpuTime()
		rows, fields = plainRead(path)
		plainRun := time.Since(start)
		if run == 0 || plainRun < plain {
			plain, plainCPU = plainRun, cpuTime()-cpu
		}

		runtime.GC()
		debug.FreeOSMemory()
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM (Linux ≥ 4.0)
		rssBefore, _ := procStatus("VmRSS")
		stop, done := make(chan struct{}), make(chan struct{})
		go sampleHeap(&heapPeak, stop, done)
		if *cpuProfile != "" && run == 0 {
			f, err := os.Create(*cpuProfile)
			check(err)
			check(pprof.StartCPUProfile(f))
		}
		fh, err := os.Open(path)
		check(err)
		start, cpu = time.Now(), cpuTime()
		res, err = profile.Run(context.Background(), fh, items, profile.Options{TempDir: *dir})
		d := time.Since(start)
		fh.Close()
		if *cpuProfile != "" && run == 0 {
			pprof.StopCPUProfile()
		}
		check(err)
		close(stop)
		<-done
		if run == 0 || d < prof {
			prof, profCPU = d, cpuTime()-cpu
		}
		rssAfter, _ := procStatus("VmRSS")
		hwm, hwmOK := procStatus("VmHWM")
		if !hwmOK || hwm < rssAfter {
			hwm = rssAfter
		}
		growth = max(growth, int64(hwm)-int64(rssBefore))
		fmt.Printf("run %d: plain %.1f MB/s, profile %.1f MB/s, RSS growth %.1f MiB\n", run+1, mb/plainRun.Seconds(), mb/d.Seconds(), float64(int64(hwm)-int64(rssBefore))/(1<<20))
	}

	plainMBs, profMBs := mb/plain.Seconds(), mb/prof.Seconds()
	ratio := profMBs / plainMBs
	fmt.Printf("\nfile: %.0f MiB, %d records, %d fields; profile: %d rows, %d duplicate rows, %d columns; GOMAXPROCS %d\n",
		mb, rows, fields, res.Rows, res.DuplicateRows, len(res.Columns), runtime.GOMAXPROCS(0))
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average after the runs: %s", b) // other work on the machine skews the figures
	}
	fmt.Println()
	fmt.Printf("%-28s %12s %12s\n", "measure", "value", "goal")
	fmt.Printf("%-28s %9.1f MB/s %12s\n", "plain CSV read (best)", plainMBs, "")
	fmt.Printf("%-28s %9.1f MB/s %12s\n", "profile.Run (best)", profMBs, "")
	fmt.Printf("%-28s %12.2f %12s\n", "ratio profile/plain", ratio, fmt.Sprintf("≥ %.2f", minRatio))
	fmt.Printf("%-28s %9.2f s/GiB %11s\n", "CPU time, plain read", plainCPU.Seconds()*1024/mb, "")
	fmt.Printf("%-28s %9.2f s/GiB %11s\n", "CPU time, profile.Run", profCPU.Seconds()*1024/mb, "")
	fmt.Printf("%-28s %9.1f MiB %12s\n", "RSS growth (VmHWM−VmRSS)", float64(growth)/(1<<20), fmt.Sprintf("≤ %d MiB", maxRSSGrowth>>20))
	fmt.Printf("%-28s %9.1f MiB %12s\n", "peak HeapInuse (sampled)", float64(heapPeak.Load())/(1<<20), "")
	for _, c := range res.Columns {
		approx := ""
		if c.DistinctApprox {
			approx = "≈"
		}
		fmt.Printf("  %-12s %-9s→%-9s empty %-9d distinct %s%-9d invalid %d %s\n", c.ID, c.DeclaredType, c.InferredType, c.Empty, approx, c.Distinct, c.Invalid, c.InvalidRule)
	}
	if growth > maxRSSGrowth || ratio < minRatio {
		fmt.Println("\nFAIL: a goal is missed")
		os.Exit(1)
	}
	fmt.Println("\nok: both goals met")
}

// plainRead is the baseline: encoding/csv over the file, as profile.Run
// configures it, counting fields.
func plainRead(path string) (rows, fields int64) {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(f, 256<<10))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, fields
		}
		check(err)
		rows++
		fields += int64(len(rec))
	}
}

// sampleHeap records the peak of the heap in use (HeapInuse) through
// runtime/metrics, which does not stop the world as ReadMemStats does.
func sampleHeap(peak *atomic.Uint64, stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		if n := heapInuse(); n > peak.Load() {
			peak.Store(n)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

func heapInuse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// cpuTime is the process's user and system CPU time so far: the profile
// runs on several goroutines, so its wall time alone hides its cost.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus reads a "kB" line of /proc/self/status, in bytes.
func procStatus(key string) (uint64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n << 10, err == nil
		}
	}
	return 0, false
}

var benchItems = []profile.Item{
	{Name: "uscc", Label: "统一社会信用代码", Type: "string", Domain: catalog.DomainCreditCode},
	{Name: "name", Label: "企业名称", Type: "string"},
	{Name: "region_code", Label: "行政区划代码", Type: "string", Domain: catalog.DomainRegionCode},
	{Name: "reg_date", Label: "登记日期", Type: "date"},
	{Name: "capital", Label: "注册资本", Type: "number"},
	{Name: "staff", Label: "从业人数", Type: "integer"},
	{Name: "phone", Label: "联系电话", Type: "string", Domain: catalog.DomainPhone},
	{Name: "scope", Label: "经营范围", Type: "string"},
}

// generate writes a CSV of about size bytes: a registry of enterprises
// with a few defects (bad check characters, unknown region codes, empty
// cells, repeated rows), like the files departments publish.
func generate(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(14, 2026))
	regions := []string{"230102", "230103", "230104", "230108", "230109", "230110", "230111", "230112", "230123", "230202", "230203", "230302", "230402", "230502", "230602", "230717", "230803", "231002", "231102", "231202", "232701"}
	prefixes := []string{"哈尔滨", "齐齐哈尔", "牡丹江", "佳木斯", "大庆", "鸡西", "双鸭山", "伊春", "七台河", "鹤岗", "黑河", "绥化"}
	trades := []string{"农业科技", "食品", "商贸", "建筑工程", "物流", "信息技术", "医药", "机械制造", "文化传媒", "餐饮管理"}
	scopes := []string{"农产品收购、加工、销售", "软件开发；信息技术咨询服务", "普通货物道路运输", "建筑材料销售；五金产品零售", "餐饮服务；食品经营", "机械设备租赁、维修", "药品零售；医疗器械经营"}
	var written int64
	line := []byte{}
	w.WriteString(genHeader + "\n")
	var prev []byte
	for n := 0; written < size; n++ {
		if n%500 == 499 && prev != nil { // a repeated row now and then
			w.Write(prev)
			written += int64(len(prev))
			continue
		}
		line = line[:0]
		code := creditCode(rng)
		if rng.IntN(1000) == 0 {
			code = code[:17] + "O" // a letter the code never uses
		}
		line = append(line, code...)
		line = append(line, ',')
		line = append(line, prefixes[rng.IntN(len(prefixes))]...)
		line = append(line, trades[rng.IntN(len(trades))]...)
		line = append(line, "有限公司"...)
		line = append(line, ',')
		if rng.IntN(2000) == 0 {
			line = append(line, "239999"...)
		} else {
			line = append(line, regions[rng.IntN(len(regions))]...)
		}
		line = append(line, ',')
		line = fmt.Appendf(line, "%04d-%02d-%02d,", 1990+rng.IntN(35), 1+rng.IntN(12), 1+rng.IntN(28))
		line = strconv.AppendFloat(line, float64(rng.IntN(10_000_000))/100, 'f', 2, 64)
		line = append(line, ',')
		if rng.IntN(50) != 0 { // some enterprises leave the staff count empty
			line = strconv.AppendInt(line, int64(rng.IntN(5000)), 10)
		}
		line = append(line, ',')
		line = fmt.Appendf(line, "1%d%09d,", 3+rng.IntN(7), rng.IntN(1_000_000_000))
		line = append(line, '"')
		line = append(line, scopes[rng.IntN(len(scopes))]...)
		line = append(line, "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"...)
		line = append(line, '"', '\n')
		w.Write(line)
		written += int64(len(line))
		prev = append(prev[:0], line...)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

const genHeader = "统一社会信用代码,企业名称,行政区划代码,登记日期,注册资本,从业人数,联系电话,经营范围"

func firstLine(path string) string {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	return strings.TrimSuffix(line, "\n")
}

// creditCode makes a valid 统一社会信用代码 for an enterprise (91…) in
// Heilongjiang (23…).
func creditCode(rng *rand.Rand) string {
	const charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	var b [18]byte
	copy(b[:], "912301")
	for i := 6; i < 17; i++ {
		b[i] = charset[rng.IntN(10)]
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(charset, b[i]) * weights[i]
	}
	b[17] = charset[(31-sum%31)%31]
	return string(b[:])
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchprofile:", err)
		os.Exit(2)
	}
}
