package site_test

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/site"
)

type smIndex struct {
	XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
}

type smURLSet struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

// smRead fetches the index and every sitemap it names, checking each
// against the protocol's limits, and returns the URLs by sitemap path.
func smRead(t *testing.T, p *apptest.Portal, maxURLs int) (files []string, urls map[string]string, byFile map[string]int) {
	t.Helper()
	r := p.Get(t, "/sitemap.xml")
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/xml") {
		t.Fatalf("sitemap.xml: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	var idx smIndex
	if err := xml.Unmarshal(r.Body, &idx); err != nil {
		t.Fatalf("sitemap index: %v\n%s", err, r.Body)
	}
	urls, byFile = map[string]string{}, map[string]int{}
	for _, s := range idx.Sitemaps {
		if !strings.HasPrefix(s.Loc, p.URL+"/sitemaps/") {
			t.Fatalf("sitemap location %q is not absolute on this portal", s.Loc)
		}
		if _, err := time.Parse(time.RFC3339, s.LastMod); s.LastMod != "" && err != nil {
			t.Errorf("%s lastmod %q: %v", s.Loc, s.LastMod, err)
		}
		path := strings.TrimPrefix(s.Loc, p.URL)
		files = append(files, path)
		r := p.Get(t, path)
		if r.Status != 200 {
			t.Fatalf("%s: %d", path, r.Status)
		}
		if len(r.Body) > 50<<20 {
			t.Errorf("%s: %d bytes", path, len(r.Body))
		}
		var set smURLSet
		if err := xml.Unmarshal(r.Body, &set); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(set.URLs) == 0 || len(set.URLs) > maxURLs {
			t.Errorf("%s: %d URLs (limit %d)", path, len(set.URLs), maxURLs)
		}
		byFile[path] = len(set.URLs)
		for _, u := range set.URLs {
			if _, dup := urls[u.Loc]; dup {
				t.Errorf("%s listed twice", u.Loc)
			}
			urls[u.Loc] = u.LastMod
		}
	}
	return files, urls, byFile
}

func TestSitemap(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true})
			ctx := t.Context()
			// One entry that is no longer open: never in the sitemap.
			if err := p.DB.Model(&catalog.Dataset{}).Where("id = ?", "ds-hlj-scjgj-002").Update("open_type", catalog.NotOpen).Error; err != nil {
				t.Fatal(err)
			}
			sum, err := p.Catalog.Store.Summary(ctx)
			if err != nil {
				t.Fatal(err)
			}
			deps, err := p.Catalog.Store.Departments(ctx)
			if err != nil {
				t.Fatal(err)
			}
			topics, err := p.Catalog.Store.Topics(ctx)
			if err != nil {
				t.Fatal(err)
			}

			files, urls, _ := smRead(t, p, 50000)
			if len(files) != 2 || files[0] != "/sitemaps/pages-1.xml" || files[1] != "/sitemaps/datasets-1.xml" {
				t.Errorf("sitemaps %v", files) // no announcement yet
			}
			datasets := 0
			for loc := range urls {
				if strings.HasPrefix(loc, p.URL+"/datasets/") {
					datasets++
				}
			}
			if int64(datasets) != sum.Datasets {
				t.Errorf("%d dataset URLs, %d public datasets", datasets, sum.Datasets)
			}
			if _, ok := urls[p.URL+"/datasets/ds-hlj-scjgj-002"]; ok {
				t.Error("a closed entry is in the sitemap")
			}
			for _, path := range []string{"/", "/datasets", "/departments", "/topics", "/announcements", "/requests", "/stats", "/developers"} {
				if _, ok := urls[p.URL+path]; !ok {
					t.Errorf("%s is not in the sitemap", path)
				}
			}
			for _, d := range deps {
				if _, ok := urls[p.URL+"/departments/"+d.ID]; !ok {
					t.Errorf("department %s is not in the sitemap", d.ID)
				}
			}
			for _, tp := range topics {
				if _, ok := urls[p.URL+"/topics/"+tp.ID]; !ok {
					t.Errorf("topic %s is not in the sitemap", tp.ID)
				}
			}
			// lastmod is the catalog's: the entry's update, a department's newest entry.
			d, err := p.Catalog.Store.Dataset(ctx, "ds-hlj-scjgj-001")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := urls[p.URL+"/datasets/"+d.ID], d.UpdatedAt.In(calendar.Zone).Format(time.RFC3339); got != want {
				t.Errorf("lastmod of %s: %q, want %q", d.ID, got, want)
			}
			var newest catalog.Dataset
			if err := p.DB.Where("department_id = ? AND status = ? AND open_type <> ?", "hlj-scjgj", catalog.StatusPublished, catalog.NotOpen).Order("updated_at DESC").First(&newest).Error; err != nil {
				t.Fatal(err)
			}
			if got, want := urls[p.URL+"/departments/hlj-scjgj"], newest.UpdatedAt.In(calendar.Zone).Format(time.RFC3339); got != want {
				t.Errorf("lastmod of the department: %q, want %q", got, want)
			}

			// A sample of the URLs answers 200 HTML.
			i := 0
			for loc := range urls {
				if i%9 == 0 || strings.Contains(loc, "/departments/") && i%3 == 0 {
					path := strings.TrimPrefix(loc, p.URL)
					r := p.Get(t, path)
					if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
						t.Errorf("%s: %d %s", path, r.Status, r.Header.Get("Content-Type"))
					}
				}
				i++
			}

			// robots.txt names the index and keeps crawlers out of the API and consoles.
			r := p.Get(t, "/robots.txt")
			if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
				t.Fatalf("robots.txt: %d %s", r.Status, r.Header.Get("Content-Type"))
			}
			for _, want := range []string{"Sitemap: " + p.URL + "/sitemap.xml\n", "User-agent: *\n", "Disallow: /api/\n", "Disallow: /console\n", "Disallow: /review\n", "Disallow: /admin\n", "Disallow: /account\n"} {
				if !strings.Contains(string(r.Body), want) {
					t.Errorf("robots.txt lacks %q:\n%s", want, r.Body)
				}
			}
			if strings.Contains(string(r.Body), "Disallow: /datasets") || strings.Contains(string(r.Body), "Disallow: /static") {
				t.Errorf("robots.txt keeps crawlers from public pages:\n%s", r.Body)
			}
		})
	}
}

// TestSitemapSplit: with a small limit the catalog spreads over several
// files, none over the limit, together listing every entry once.
func TestSitemapSplit(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true})
	old := site.SitemapMaxURLs
	site.SitemapMaxURLs = 25
	t.Cleanup(func() { site.SitemapMaxURLs = old })

	sum, err := p.Catalog.Store.Summary(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	files, urls, byFile := smRead(t, p, 25)
	want := int((sum.Datasets + 24) / 25)
	var got []string
	datasets := 0
	for _, f := range files {
		if strings.HasPrefix(f, "/sitemaps/datasets-") {
			got = append(got, f)
			datasets += byFile[f]
		}
	}
	if len(got) != want || got[want-1] != fmt.Sprintf("/sitemaps/datasets-%d.xml", want) {
		t.Errorf("dataset sitemaps %v, want %d", got, want)
	}
	if int64(datasets) != sum.Datasets {
		t.Errorf("%d dataset URLs over the files, %d public datasets", datasets, sum.Datasets)
	}
	if byFile["/sitemaps/pages-2.xml"] == 0 {
		t.Errorf("the pages are not split: %v", files)
	}
	if len(urls) < int(sum.Datasets)+8 {
		t.Errorf("%d URLs in all", len(urls))
	}
	// Past the last file, and names that are no sitemap: 404.
	for _, path := range []string{fmt.Sprintf("/sitemaps/datasets-%d.xml", want+1), "/sitemaps/pages-0.xml", "/sitemaps/secrets.xml", "/sitemaps/datasets-1.xml.gz"} {
		if r := p.Get(t, path); r.Status != 404 {
			t.Errorf("%s: %d", path, r.Status)
		}
	}

	// The size limit: a file stops before it and stays a whole document.
	oldBytes := site.SitemapMaxBytes
	site.SitemapMaxBytes = 1500
	t.Cleanup(func() { site.SitemapMaxBytes = oldBytes })
	r := p.Get(t, "/sitemaps/datasets-1.xml")
	var set smURLSet
	if err := xml.Unmarshal(r.Body, &set); err != nil || len(r.Body) > 1500 || len(set.URLs) == 0 {
		t.Errorf("capped sitemap: %d bytes, %d URLs, %v", len(r.Body), len(set.URLs), err)
	}
}
