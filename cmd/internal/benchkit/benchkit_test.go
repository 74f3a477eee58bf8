package benchkit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScriptQuotesEveryPath(t *testing.T) {
	s := string(Script([]string{"/api/v1/datasets?q=%E4%BC%81", `/a"b`}, 2))
	for _, want := range []string{`"/api/v1/datasets?q=%E4%BC%81",`, `"/a\"b",`, "math.floor(tid * n / 2)", "BENCHKIT {"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q", want)
		}
	}
}

func TestMemoryAndCPUOfThisProcess(t *testing.T) {
	rss, hwm := Memory(os.Getpid())
	if rss <= 0 || hwm < rss {
		t.Errorf("VmRSS %d, VmHWM %d", rss, hwm)
	}
	if rss, hwm := Memory(-1); rss != 0 || hwm != 0 {
		t.Errorf("no such process: %d, %d", rss, hwm)
	}
	for i := 0; CPUTime(os.Getpid()) == 0 && i < 1e9; i++ { // burn until the first tick
	}
	if CPUTime(os.Getpid()) <= 0 {
		t.Error("no CPU time")
	}
}

func TestDirSizeCountsRegularFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a"), 0o755)
	os.WriteFile(filepath.Join(dir, "x"), make([]byte, 100), 0o644)
	os.WriteFile(filepath.Join(dir, "a", "y"), make([]byte, 23), 0o644)
	if n := DirSize(dir); n != 123 {
		t.Errorf("DirSize = %d, want 123", n)
	}
}

func TestResultRates(t *testing.T) {
	r := Result{Requests: 500, DurationUS: 2e6, Connect: 1, Timeout: 2}
	if r.RPS() != 250 || r.Errors() != 3 || (Result{}).RPS() != 0 {
		t.Errorf("RPS %v, errors %d", r.RPS(), r.Errors())
	}
}
