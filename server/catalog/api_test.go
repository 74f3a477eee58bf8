package catalog_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/web"
)

type listBody struct {
	Total    int `json:"total"`
	Page     int `json:"page"`
	PageSize int `json:"page_size"`
	Items    []struct {
		ID         string              `json:"id"`
		Title      string              `json:"title"`
		OpenType   string              `json:"open_type"`
		Department struct{ ID string } `json:"department"`
		Topic      struct{ ID string } `json:"topic"`
		UpdatedAt  string              `json:"updated_at"`
		Highlights map[string]string   `json:"highlights"`
	} `json:"items"`
	Facets map[string][]struct {
		Value string `json:"value"`
		Label string `json:"label"`
		Count int    `json:"count"`
	} `json:"facets"`
}

// TestDemoCatalog loads the whole demo catalog on each engine and checks
// what a visitor and a script see.
func TestDemoCatalog(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "demo"})

			var all listBody
			r := p.Get(t, "/api/v1/datasets?page_size=100")
			if r.Status != 200 {
				t.Fatalf("list: %d %s", r.Status, r.Body)
			}
			r.JSON(t, &all)
			if all.Total < 300 {
				t.Fatalf("total = %d, want ≥ 300 public datasets", all.Total)
			}
			if len(all.Items) != 100 || all.PageSize != 100 || all.Page != 1 {
				t.Fatalf("page: %d items, page %d size %d", len(all.Items), all.Page, all.PageSize)
			}
			// Single-valued facets partition the result set.
			for _, f := range []string{"topic", "department", "open_type", "update_frequency", "grade"} {
				sum := 0
				for _, v := range all.Facets[f] {
					if v.Label == "" || v.Count <= 0 {
						t.Errorf("facet %s value %+v lacks a label or count", f, v)
					}
					sum += v.Count
				}
				if sum != all.Total {
					t.Errorf("facet %s counts add up to %d, total is %d", f, sum, all.Total)
				}
			}
			if len(all.Facets["topic"]) < 12 || len(all.Facets["department"]) < 20 {
				t.Errorf("want ≥12 topics and ≥20 departments, got %d and %d", len(all.Facets["topic"]), len(all.Facets["department"]))
			}
			for _, v := range all.Facets["open_type"] {
				if v.Value == "not_open" {
					t.Errorf("not_open appears in the public facets")
				}
			}

			// The database holds not_open entries; no public endpoint shows them.
			var hidden []catalog.Dataset
			p.DB.Where("open_type = ?", catalog.NotOpen).Find(&hidden)
			if len(hidden) == 0 {
				t.Fatal("demo catalog has no not_open entries to check")
			}
			for _, d := range hidden {
				if d.NotOpenReason == "" {
					t.Errorf("not_open %s has no reason", d.ID)
				}
				if r := p.Get(t, "/api/v1/datasets/"+d.ID); r.Status != 404 || r.ErrorCode(t) != "not_found" {
					t.Errorf("not_open %s: %d %s", d.ID, r.Status, r.Body)
				}
				var res catalog.Resource
				if p.DB.Where("dataset_id = ?", d.ID).First(&res).Error == nil {
					if r := p.Get(t, "/api/v1/resources/"+res.ID+"/download"); r.Status != 404 {
						t.Errorf("download of not_open resource %s: %d", res.ID, r.Status)
					}
				}
			}
			var pubTotal int64
			// (The demo activity revoked a few: they are gone from the lists.)
			p.DB.Model(&catalog.Dataset{}).Where("open_type <> ? AND status = ?", catalog.NotOpen, catalog.StatusPublished).Count(&pubTotal)
			if int(pubTotal) != all.Total {
				t.Errorf("API total %d, database has %d public entries", all.Total, pubTotal)
			}

			// Departments and topics with counts agree with the list.
			var deps struct {
				Items []struct {
					ID           string `json:"id"`
					Name         string `json:"name"`
					RegionLevel  string `json:"region_level"`
					DatasetCount int    `json:"dataset_count"`
				} `json:"items"`
			}
			p.Get(t, "/api/v1/departments").JSON(t, &deps)
			sum := 0
			levels := map[string]bool{}
			for _, d := range deps.Items {
				sum += d.DatasetCount
				levels[d.RegionLevel] = true
			}
			if sum != all.Total || !levels["province"] || !levels["city"] {
				t.Errorf("departments: counts add to %d (want %d), levels %v", sum, all.Total, levels)
			}
			var sumJSON catalog.SummaryJSON
			p.Get(t, "/api/v1/catalog/summary").JSON(t, &sumJSON)
			if int(sumJSON.Datasets) != all.Total || sumJSON.OpenTypes["conditional"] == 0 || sumJSON.Resources < sumJSON.Datasets {
				t.Errorf("summary = %+v", sumJSON)
			}
			// About a quarter is conditional.
			if q := float64(sumJSON.OpenTypes["conditional"]) / float64(sumJSON.Datasets); q < 0.15 || q > 0.35 {
				t.Errorf("conditional share %.2f, want about a quarter", q)
			}
		})
	}
}

func TestListFiltersAndPaging(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	var all listBody
	p.Get(t, "/api/v1/datasets?page_size=100").JSON(t, &all)
	if all.Total == 0 {
		t.Fatal("no datasets")
	}
	topics := all.Facets["topic"]
	if len(topics) < 2 {
		t.Fatalf("need two topics, got %v", topics)
	}
	a, b := topics[0], topics[1]

	var one listBody
	p.Get(t, "/api/v1/datasets?page_size=100&topic="+a.Value).JSON(t, &one)
	if one.Total != a.Count {
		t.Errorf("topic=%s total %d, facet said %d", a.Value, one.Total, a.Count)
	}
	for _, it := range one.Items {
		if it.Topic.ID != a.Value {
			t.Errorf("item %s has topic %s", it.ID, it.Topic.ID)
		}
	}
	// OR within a facet; the topic facet still shows the other topics.
	var two listBody
	p.Get(t, "/api/v1/datasets?page_size=100&topic="+a.Value+"&topic="+b.Value).JSON(t, &two)
	if two.Total != a.Count+b.Count {
		t.Errorf("two topics: total %d, want %d", two.Total, a.Count+b.Count)
	}
	if len(two.Facets["topic"]) != len(topics) {
		t.Errorf("topic facet shrank to %d values under its own filter", len(two.Facets["topic"]))
	}
	// AND across facets.
	var and listBody
	p.Get(t, "/api/v1/datasets?page_size=100&topic="+a.Value+"&open_type=conditional").JSON(t, &and)
	for _, it := range and.Items {
		if it.Topic.ID != a.Value || it.OpenType != "conditional" {
			t.Errorf("AND filter leaked %+v", it)
		}
	}

	// Paging walks every item once.
	seen := map[string]bool{}
	for page := 1; ; page++ {
		var pg listBody
		p.Get(t, "/api/v1/datasets?sort=name&page_size=7&page="+strconv.Itoa(page)).JSON(t, &pg)
		if len(pg.Items) == 0 {
			break
		}
		for _, it := range pg.Items {
			if seen[it.ID] {
				t.Fatalf("item %s on two pages", it.ID)
			}
			seen[it.ID] = true
		}
	}
	if len(seen) != all.Total {
		t.Errorf("paging saw %d of %d", len(seen), all.Total)
	}
}

func TestBadListParameters(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	cases := []struct{ name, query, field string }{
		{"page zero", "page=0", "page"},
		{"page not a number", "page=abc", "page"},
		{"page size over cap", "page_size=101", "page_size"},
		{"negative page size", "page_size=-1", "page_size"},
		{"unknown sort", "sort=random", "sort"},
		{"open type not public", "open_type=not_open", "open_type"},
		{"bad frequency", "update_frequency=hourly", "update_frequency"},
		{"bad grade", "grade=L9", "grade"},
		{"unknown parameter", "colour=red", "colour"},
		{"query too long", "q=" + url.QueryEscape(strings.Repeat("数据", 51)), "q"},
		{"too deep", "page=200&page_size=100", "page"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := p.Get(t, "/api/v1/datasets?"+c.query)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("status %d, body %s", r.Status, r.Body)
			}
			var e struct {
				Error struct {
					Code   string            `json:"code"`
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			r.JSON(t, &e)
			if e.Error.Code != "invalid" || e.Error.Fields[c.field] == "" {
				t.Fatalf("want invalid with field %s, got %s", c.field, r.Body)
			}
		})
	}
}

func TestDatasetDetailAndDownload(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	var uncond, cond catalog.Dataset
	if err := p.DB.Where("open_type = ? AND status = ?", catalog.Unconditional, catalog.StatusPublished).Order("id").First(&uncond).Error; err != nil {
		t.Fatal(err)
	}
	if err := p.DB.Where("open_type = ?", catalog.Conditional).Order("id").First(&cond).Error; err != nil {
		t.Fatal(err)
	}

	var d catalog.DatasetJSON
	r := p.Get(t, "/api/v1/datasets/"+uncond.ID)
	if r.Status != 200 {
		t.Fatalf("detail: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &d)
	if d.Title == "" || d.Department.ID == "" || d.Department.Name == "" || d.Topic.Name == "" || d.UpdateFrequency == "" || d.Grade == "" || d.Classification == "" || d.PublishedAt == nil {
		t.Errorf("missing catalog fields: %+v", d)
	}
	if len(d.DataItems) < 5 {
		t.Errorf("want ≥5 data items, got %d", len(d.DataItems))
	}
	for _, it := range d.DataItems {
		if it.Name == "" || it.Label == "" || it.Type == "" {
			t.Errorf("incomplete data item %+v", it)
		}
	}
	if len(d.Resources) == 0 || d.Resources[0].DownloadURL == nil {
		t.Fatalf("resources %+v", d.Resources)
	}
	res := d.Resources[0]
	dl := p.Get(t, *res.DownloadURL)
	if dl.Status != 200 {
		t.Fatalf("download: %d %s", dl.Status, dl.Body)
	}
	sum := sha256.Sum256(dl.Body)
	if hex.EncodeToString(sum[:]) != res.SHA256 || int64(len(dl.Body)) != res.Size {
		t.Errorf("downloaded %d bytes, sha mismatch with metadata %s", len(dl.Body), res.SHA256)
	}
	if lines := strings.Count(string(dl.Body), "\n"); int64(lines) != res.Rows+1 {
		t.Errorf("file has %d lines, metadata says %d rows + header", lines, res.Rows)
	}
	cd := dl.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if dl.Header.Get("ETag") != `"`+res.SHA256+`"` {
		t.Errorf("ETag = %q", dl.Header.Get("ETag"))
	}
	var after catalog.Dataset
	p.DB.First(&after, "id = ?", uncond.ID)
	if after.Downloads != uncond.Downloads+1 {
		t.Errorf("downloads %d → %d, want +1", uncond.Downloads, after.Downloads)
	}
	// Ranges come from the stored original.
	rg := p.Do(t, "GET", *res.DownloadURL, nil, map[string]string{"Range": "bytes=0-9"})
	if rg.Status != 206 || string(rg.Body) != string(dl.Body[:10]) {
		t.Errorf("range: %d %q", rg.Status, rg.Body)
	}

	// Conditional: metadata and conditions, no download.
	var c catalog.DatasetJSON
	p.Get(t, "/api/v1/datasets/"+cond.ID).JSON(t, &c)
	if c.OpenConditions == "" {
		t.Error("conditional entry without its conditions")
	}
	for _, rs := range c.Resources {
		if rs.DownloadURL != nil {
			t.Errorf("conditional resource %s offers a download URL", rs.ID)
		}
		if r := p.Get(t, "/api/v1/resources/"+rs.ID+"/download"); r.Status != 403 || r.ErrorCode(t) != "forbidden" {
			t.Errorf("conditional download: %d %s", r.Status, r.Body)
		}
	}

	for _, path := range []string{"/api/v1/datasets/no-such-id", "/api/v1/datasets/..%2F..%2Fetc", "/api/v1/resources/nope/download", "/api/v1/nothing-here"} {
		r := p.Get(t, path)
		if r.Status != 404 || r.ErrorCode(t) != "not_found" {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	got := web.ContentDisposition("全省企业登记信息(2025).csv")
	want := `attachment; filename="________(2025).csv"; filename*=UTF-8''%E5%85%A8%E7%9C%81%E4%BC%81%E4%B8%9A%E7%99%BB%E8%AE%B0%E4%BF%A1%E6%81%AF%282025%29.csv`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if n := catalog.FileName(&catalog.Resource{Name: `../a\b"c`, Format: "CSV"}); n != `.._a_b_c.csv` {
		t.Errorf("FileName = %q", n)
	}
}

func TestHealth(t *testing.T) {
	p := apptest.New(t, apptest.Options{})
	if r := p.Get(t, "/healthz"); r.Status != 200 {
		t.Errorf("healthz %d", r.Status)
	}
	r := p.Get(t, "/readyz")
	m := r.Map(t)
	if r.Status != 200 || m["ready"] != true {
		t.Errorf("readyz %d %s", r.Status, r.Body)
	}
}
