package profile

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/server/upload"
)

// The byte-level parsers must accept exactly what the upload validator
// accepts, or a file the portal took would be reported as broken.
func TestValuesAgreeWithUpload(t *testing.T) {
	corpus := []string{
		"0", "1", "-1", "+1", "++1", "+-1", "-+1", "007", "-0", "1.", ".5", ".", "-", "+", "1e3", "1E-3", "1e400",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "123456789012345678",
		"1234567890123456789", "123456789012345.6", "1234567890123456.7", "0x1p-2", "1_000", "inf", "NaN", "Infinity",
		"1,000", "¥5", "3.14.15", "12345678901234567890.5",
		"true", "FALSE", "Yes", "n", "Y", "是", "否", "是的", "t", "ｙｅｓ", "K", "\u212a",
		"2020-01-02", "2020-1-2", "2020-01-2", "2020/01/02", "2020/1/2", "2020/1/02", "2020-1/2", "2020-02-29", "2019-02-29",
		"2020-13-01", "2020-00-10", "2020-04-31", "0000-01-01", "0001-01-01", "9999-12-31", "20200102", "2020-001-02",
		"2020-01-02 03:04:05", "2020-01-02T03:04:05", "2020-01-02T03:04:05Z", "2020-01-02T03:04:05+08:00",
		"2020-01-02T03:04:05.123Z", "2020-01-02 03:04", "2020/01/02 03:04:05", "2020/1/2 3:04:05", "2020/1/2 03:04",
		"2020-01-02 24:00:00", "2020-01-02 23:59:60", "2020-01-02 3:04:05", "2020-1-2 03:04:05", "2020-01-02  03:04:05",
		"2020-01-02T03:04", "43831", "43831.5", "0", "2958466", "abc", "", " 1",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789-/:. T+eE.Z"
	for range 30000 {
		var b strings.Builder
		for range 1 + rng.IntN(20) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		corpus = append(corpus, b.String())
	}
	for range 10000 { // shapes close to dates and times
		corpus = append(corpus, fmt.Sprintf("%04d-%d-%02d %02d:%02d:%02d", rng.IntN(10000), rng.IntN(14), rng.IntN(33), rng.IntN(26), rng.IntN(62), rng.IntN(62)))
		corpus = append(corpus, fmt.Sprintf("%04d/%d/%d", rng.IntN(10000), rng.IntN(14), rng.IntN(33)))
	}
	types := []string{"integer", "number", "boolean", "date", "datetime"}
	for _, v := range corpus {
		for _, workbook := range []bool{false, true} {
			valid := upload.ValidValue
			if workbook {
				valid = upload.ValidWorkbookValue
			}
			got := fits(v, fitAll, workbook)
			for _, typ := range types {
				want := valid(typ, v)
				if pv := parseAs(typ, v, workbook); pv.ok != want {
					t.Fatalf("parseAs(%s, %q, workbook %v).ok = %v, upload says %v", typ, v, workbook, pv.ok, want)
				}
				if (got&typeBit(typ) != 0) != want {
					t.Fatalf("fits(%q, workbook %v) has %s = %v, upload says %v", v, workbook, typ, got&typeBit(typ) != 0, want)
				}
			}
		}
		// The fast path's instants and years are upload's.
		for _, typ := range []string{"date", "datetime"} {
			pv := parseTime(typ, v, false)
			tm, ok := upload.ParseTimeValue(typ, v, false)
			if pv.ok != ok || ok && (pv.n != tm.Unix() || pv.year != tm.Year()) {
				t.Fatalf("parseTime(%s, %q) = %+v, upload parses %v %v", typ, v, pv, tm, ok)
			}
		}
	}
}

func TestHyperLogLogWithin3Percent(t *testing.T) {
	var h hyperLogLog
	const n = 1_000_000
	for i := range n {
		h.add(hashString(fmt.Sprintf("value-%d", i)))
		if i%3 == 0 { // repeats change nothing
			h.add(hashString(fmt.Sprintf("value-%d", i)))
		}
	}
	est := h.estimate()
	if err := float64(est-n) / n; err > 0.03 || err < -0.03 {
		t.Fatalf("estimate %d for %d distinct values: error %.2f%%", est, n, 100*err)
	}
	var small hyperLogLog
	for i := range 1000 {
		small.add(hashString(fmt.Sprint(i)))
	}
	if est := small.estimate(); est < 980 || est > 1020 {
		t.Fatalf("estimate %d for 1000 distinct values (linear counting range)", est)
	}
}

func TestMedian(t *testing.T) {
	for _, s := range [][]int64{{1}, {3, 1, 2}, {1, 1, 1, 1}, {5, 4, 3, 2, 1, 0}, {2, 2, 1, 9, 9, 9, 9}} {
		sorted := append([]int64(nil), s...)
		for i := range sorted {
			for j := i + 1; j < len(sorted); j++ {
				if sorted[j] < sorted[i] {
					sorted[i], sorted[j] = sorted[j], sorted[i]
				}
			}
		}
		want := sorted[(len(sorted)-1)/2]
		if got := median(append([]int64(nil), s...)); got != want {
			t.Errorf("median(%v) = %d, want %d", s, got, want)
		}
	}
}
