package embedded

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/search"
)

// DIAG_DIR=/tmp/x DIAG_MODE=build|open|rebuild
func TestMemDiag(t *testing.T) {
	dir, mode := os.Getenv("DIAG_DIR"), os.Getenv("DIAG_MODE")
	if dir == "" {
		t.Skip()
	}
	var m runtime.MemStats
	report := func(what string, start time.Time) {
		runtime.GC()
		runtime.ReadMemStats(&m)
		t.Logf("%s: %v heap %.1f MB sys %.0f MB rss %.0f MB hwm %.0f MB", what, time.Since(start).Round(time.Millisecond),
			float64(m.HeapAlloc)/(1<<20), float64(m.Sys)/(1<<20), procStatus("VmRSS:")/1024, procStatus("VmHWM:")/1024)
	}
	start := time.Now()
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	report("open", start)
	stream := func(emit func(search.Document) error) error { return generateDocs(benchDocs, emit) }
	if mode == "build" || mode == "rebuild" {
		start = time.Now()
		if err := e.Rebuild(context.Background(), stream, nil); err != nil {
			t.Fatal(err)
		}
		report("rebuild", start)
	}
	st := e.st
	docBytes := 0
	for _, sl := range st.slots {
		docBytes += len(sl.doc)
	}
	t.Logf("terms %d posting bytes %d doc bytes %d", len(st.terms.last), st.terms.postingBytes(), docBytes)
	if f := os.Getenv("DIAG_HEAP"); f != "" {
		out, _ := os.Create(f)
		pprof.WriteHeapProfile(out)
		out.Close()
	}
	e.Close()
}
