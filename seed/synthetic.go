package seed

import (
	"io"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SyntheticRows is the row count of every synthetic resource.
const SyntheticRows = 20

// synKind is one dataset subject of the synthetic catalog, derived from a
// demo template (its title without the region prefix).
type synKind struct {
	subject  string
	tmpl     demoTmpl
	schema   *demoSchema
	items    []DataItem // shared, read-only
	tags     []string   // shared, read-only
	province int        // index into demoDepts of the province department
	byCity   map[string]int
}

type synRegion struct {
	name string    // as it appears in the title: 黑龙江省, 哈尔滨市, 哈尔滨市南岗区
	city *demoCity // nil for the province
}

var synOnce sync.Once
var (
	synKinds   []synKind
	synRegions []synRegion
)

var synPeriods = []string{"", "第一季度", "第二季度", "第三季度", "第四季度", "上半年"}

const synFirstYear, synYears = 2016, 11

func synInit() {
	synRegions = append(synRegions, synRegion{"黑龙江省", nil})
	for _, c := range demoCities {
		synRegions = append(synRegions, synRegion{c.Name, c})
		for _, d := range c.Districts {
			synRegions = append(synRegions, synRegion{c.Name + d.Name, c})
		}
	}
	seen := map[string]bool{}
	// Iterate domains in department order so the kind list is stable.
	for _, dep := range demoDepts {
		if seen[dep.domain] {
			continue
		}
		seen[dep.domain] = true
		for _, t := range demoDomains[dep.domain] {
			subject := strings.TrimPrefix(strings.TrimPrefix(t.title, "{P}"), "{N}")
			k := synKind{subject: subject, tmpl: t, schema: demoSchemas[t.schema], byCity: map[string]int{}}
			k.items = k.schema.items[:len(k.schema.items):len(k.schema.items)]
			tags := strings.Split(t.tags, ",")
			k.tags = tags[:len(tags):len(tags)]
			k.province = -1
			for i, d := range demoDepts {
				if d.domain != dep.domain {
					continue
				}
				if d.city == "" {
					k.province = i
				} else {
					k.byCity[d.city] = i
				}
			}
			synKinds = append(synKinds, k)
		}
	}
}

// synMix is splitmix64: a cheap, well-distributed hash of an integer.
func synMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Synthetic returns n benchmark datasets with ids syn-%07d starting at
// offset. Dataset i is the same whatever n and offset it is generated
// with, so a catalog can be grown in several calls. Titles combine a region
// (province, city or district), a subject taken from the demo templates and
// a period, so that two- and four-character queries (企业, 哈尔滨, 公交,
// 食品安全 ...) match realistic subsets; titles are unique for the first
// several hundred thousand ids. Departments and topics are those of Demo.
// Each dataset has one CSV resource of SyntheticRows rows, rendered lazily.
//
// DataItems and Tags slices are shared between datasets of the same subject:
// treat them as read-only.
func Synthetic(n int, offset int) []Dataset {
	synOnce.Do(synInit)
	out := make([]Dataset, n)
	nr, nk := len(synRegions), len(synKinds)
	total := nr * nk * synYears * len(synPeriods)
	// A multiplier coprime with total spreads consecutive ids over all
	// regions, subjects and periods (a bijection on [0, total)).
	mult := 7919
	for synGCD(mult, total) != 1 {
		mult += 2
	}
	for j := range out {
		i := offset + j
		idx := (i*mult + 12345) % total
		reg := synRegions[idx%nr]
		k := &synKinds[(idx/nr)%nk]
		q := idx / (nr * nk)
		year := synFirstYear + q%synYears
		period := synPeriods[q/synYears]
		out[j] = synDataset(i, reg, k, year, period)
	}
	return out
}

func synGCD(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func synDataset(i int, reg synRegion, k *synKind, year int, period string) Dataset {
	h := synMix(uint64(i))
	num := strconv.Itoa(i)
	if len(num) < 7 {
		num = "0000000"[:7-len(num)] + num
	}
	id := "syn-" + num
	title := reg.name + k.subject + "（" + strconv.Itoa(year) + "年" + period + "）"

	depIdx := k.province
	if reg.city != nil {
		if c, ok := k.byCity[reg.city.Name]; ok {
			depIdx = c
		}
	}
	dep := demoDepts[depIdx]
	region := "黑龙江省"
	pool := demoProvincePool
	if reg.city != nil {
		region = reg.city.Name
		pool = []*demoCity{reg.city}
	}

	t := k.tmpl
	ds := Dataset{
		ID:              id,
		Title:           title,
		Description:     title + "，由" + dep.name + "提供（基准测试用合成数据）。",
		DepartmentID:    dep.id,
		TopicCode:       t.topic,
		UpdateFrequency: t.freq,
		Classification:  t.class,
		Region:          region,
		Tags:            k.tags,
		DataItems:       k.items,
	}
	switch {
	case strings.HasPrefix(t.open, "n:"):
		ds.OpenType, ds.Grade = "not_open", "L4"
		ds.NotOpenReason = demoNotOpenReasons[t.open[2:]]
	case strings.HasPrefix(t.open, "c"):
		ds.OpenType, ds.Grade = "conditional", "L2"
		if t.open == "c3" {
			ds.Grade = "L3"
		}
		ds.OpenConditions = demoConditions[h%uint64(len(demoConditions))]
		ds.UsageScope = demoUsageScopes[(h>>8)%uint64(len(demoUsageScopes))]
	default:
		ds.OpenType, ds.Grade = "unconditional", "L1"
		if t.freq == "realtime" {
			ds.Grade = "L2"
		}
	}

	// Dates: published between 2024-01-01 and demoEnd, updated after.
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	span := uint64(demoEnd.Sub(start).Hours() / 24)
	pubDay := (h >> 16) % span
	updDay := pubDay + (h>>40)%(span-pubDay+1)
	hour, minute := int(8+(h>>4)%10), int((h>>10)%60)
	pub := start.AddDate(0, 0, int(pubDay))
	upd := start.AddDate(0, 0, int(updDay))
	ds.PublishedAt = time.Date(pub.Year(), pub.Month(), pub.Day(), hour, minute, 0, 0, demoCST)
	ds.UpdatedAt = time.Date(upd.Year(), upd.Month(), upd.Day(), hour, minute, 0, 0, demoCST)

	if ds.OpenType != "not_open" {
		// heavy tail: most datasets have few downloads
		hi, _ := bits.Mul64(h, 1<<20)
		u := float64(hi) / (1 << 20)
		ds.Downloads = int64(20000 * u * u * u * u)
	}

	lo := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	hiDate := time.Date(upd.Year(), upd.Month(), upd.Day(), 0, 0, 0, 0, time.UTC)
	resID := "res-" + id + "-1"
	schema, variant := k.schema, t.variant
	ds.Resources = []Resource{{
		ID:     resID,
		Name:   title,
		Format: "CSV",
		Rows:   SyntheticRows,
		Write: func(w io.Writer) error {
			g := &demoGen{r: demoRand("data", resID), pool: pool, lo: lo, hi: hiDate, variant: variant, n: SyntheticRows}
			return demoWriteCSV(w, schema, g)
		},
	}}
	demoRecord(&ds, t, depIdx+1, i%999999+1)
	return ds
}
