package site_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
)

// The dataset page read as a client without JavaScript reads it: the
// plain HTML of the first response, its schema.org JSON-LD, the 404 and
// 410 pages, the page cache and its invalidation through the outbox.

type dsEnv struct {
	*apptest.Portal
	clock *apptest.Clock
	roles *apptest.Roles
}

func newDSEnv(t *testing.T, engine string) *dsEnv {
	t.Helper()
	c := apptest.NewClock(time.Date(2026, 5, 6, 10, 0, 0, 0, calendar.Zone)) // a Wednesday
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true, Now: c.Now})
	roles := apptest.NewRoles(p, c.Now)
	roles.KeepFor = 20 * time.Minute
	return &dsEnv{Portal: p, clock: c, roles: roles}
}

// get GETs path with header pairs and checks the status and that the
// answer is an HTML page.
func (e *dsEnv) get(t *testing.T, path string, status int, header ...string) *apptest.Response {
	t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	r := e.Do(t, http.MethodGet, path, nil, h)
	if r.Status != status {
		t.Fatalf("GET %s: %d, want %d: %.300s", path, r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: Content-Type %q, want HTML", path, ct)
	}
	return r
}

// ids lists public datasets of an open type, of a department ("" any), in
// id order; the small seed has one of each type for the demo provider's
// department (hlj-scjgj).
func (e *dsEnv) ids(t *testing.T, dept string, ot catalog.OpenType) []string {
	t.Helper()
	q := e.DB.Model(&catalog.Dataset{}).Where("open_type = ? AND status = ?", ot, catalog.StatusPublished)
	if dept != "" {
		q = q.Where("department_id = ?", dept)
	}
	var ids []string
	q.Order("id").Pluck("id", &ids)
	if len(ids) == 0 {
		t.Fatalf("no %s dataset of %q in the small seed", ot, dept)
	}
	return ids
}

func (e *dsEnv) dataset(t *testing.T, id string) *catalog.Dataset {
	t.Helper()
	d, err := e.Catalog.Store.Dataset(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var (
	dsLDRE    = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)
	dsTitleRE = regexp.MustCompile(`(?s)<title>(.*?)</title>`)
	dsH1RE    = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
	dsHTMLRE  = regexp.MustCompile(`<html lang="([^"]+)">`)
)

func dsOne(t *testing.T, re *regexp.Regexp, body, what string) string {
	t.Helper()
	m := re.FindAllStringSubmatch(body, -1)
	if len(m) != 1 {
		t.Fatalf("%d %s in the page, want 1", len(m), what)
	}
	return m[0][1]
}

// dsJSONLD returns the page's one JSON-LD block, decoded.
func dsJSONLD(t *testing.T, body string) map[string]any {
	t.Helper()
	var ld map[string]any
	if err := json.Unmarshal([]byte(dsOne(t, dsLDRE, body, "ld+json scripts")), &ld); err != nil {
		t.Fatalf("JSON-LD does not parse: %v", err)
	}
	return ld
}

// dsCheckLD checks the schema.org Dataset properties Google Dataset Search
// reads, with their types, against the catalog entry.
func dsCheckLD(t *testing.T, ld map[string]any, d *catalog.Dataset, base, pageURL string) {
	t.Helper()
	str := func(k string) string {
		t.Helper()
		s, ok := ld[k].(string)
		if !ok || s == "" {
			t.Errorf("JSON-LD %s = %#v, want a non-empty string", k, ld[k])
		}
		return s
	}
	absolute := func(what, s string) {
		t.Helper()
		u, err := url.Parse(s)
		if err != nil || !u.IsAbs() || !strings.HasPrefix(s, base+"/") {
			t.Errorf("JSON-LD %s %q is not an absolute URL of this portal (%s)", what, s, base)
		}
	}
	if str("@context") != "https://schema.org/" || str("@type") != "Dataset" {
		t.Errorf("JSON-LD @context %v @type %v", ld["@context"], ld["@type"])
	}
	if str("name") != d.Title {
		t.Errorf("JSON-LD name %q, want %q", ld["name"], d.Title)
	}
	if d.Description != "" && str("description") != d.Description {
		t.Errorf("JSON-LD description %q", ld["description"])
	}
	if str("url") != pageURL {
		t.Errorf("JSON-LD url %q, want the canonical %q", ld["url"], pageURL)
	}
	ids, _ := ld["identifier"].([]any)
	if len(ids) == 0 || ids[0] != d.ID || (d.ResourceCode != "" && (len(ids) != 2 || ids[1] != d.ResourceCode)) {
		t.Errorf("JSON-LD identifier %#v, want [%s %s]", ld["identifier"], d.ID, d.ResourceCode)
	}
	kw, ok := ld["keywords"].([]any)
	if !ok || len(kw) < len(d.Tags) {
		t.Errorf("JSON-LD keywords %#v, want an array with the tags %v", ld["keywords"], d.Tags)
	}
	for _, k := range kw {
		if _, ok := k.(string); !ok {
			t.Errorf("JSON-LD keyword %#v is not a string", k)
		}
	}
	for _, tag := range d.Tags {
		if !strings.Contains(fmt.Sprint(kw), tag) {
			t.Errorf("JSON-LD keywords %v lack the tag %q", kw, tag)
		}
	}
	for _, who := range []string{"creator", "publisher"} {
		org, ok := ld[who].(map[string]any)
		if !ok || org["@type"] != "Organization" || org["name"] != d.Department.Name {
			t.Errorf("JSON-LD %s %#v, want Organization %s", who, ld[who], d.Department.Name)
			continue
		}
		absolute(who+".url", fmt.Sprint(org["url"]))
		if !strings.HasSuffix(fmt.Sprint(org["url"]), "/departments/"+d.DepartmentID) {
			t.Errorf("JSON-LD %s url %v", who, org["url"])
		}
	}
	absolute("license", str("license"))
	if free, ok := ld["isAccessibleForFree"].(bool); !ok || !free {
		t.Errorf("JSON-LD isAccessibleForFree %#v", ld["isAccessibleForFree"])
	}
	for _, k := range []string{"dateModified", "datePublished"} {
		if _, err := time.Parse(time.RFC3339, str(k)); err != nil {
			t.Errorf("JSON-LD %s: %v", k, err)
		}
	}
	if mod, _ := time.Parse(time.RFC3339, fmt.Sprint(ld["dateModified"])); !mod.Equal(d.UpdatedAt) {
		t.Errorf("JSON-LD dateModified %v, catalog %v", ld["dateModified"], d.UpdatedAt)
	}
	if place, ok := ld["spatialCoverage"].(map[string]any); !ok || place["@type"] != "Place" || place["name"] == "" {
		t.Errorf("JSON-LD spatialCoverage %#v", ld["spatialCoverage"])
	}
	if str("inLanguage") != "zh-CN" {
		t.Errorf("JSON-LD inLanguage %v", ld["inLanguage"])
	}
	if cat, ok := ld["includedInDataCatalog"].(map[string]any); !ok || cat["@type"] != "DataCatalog" || cat["name"] == "" || cat["url"] != base+"/" {
		t.Errorf("JSON-LD includedInDataCatalog %#v", ld["includedInDataCatalog"])
	}
	dist, hasDist := ld["distribution"]
	if d.OpenType == catalog.Conditional {
		if hasDist {
			t.Errorf("conditional data has a distribution: %#v", dist)
		}
		if c := str("conditionsOfAccess"); !strings.Contains(c, base+"/apply?dataset="+d.ID) || (d.OpenConditions != "" && !strings.Contains(c, strings.Join(strings.Fields(d.OpenConditions), " "))) {
			t.Errorf("conditionsOfAccess %q lacks the conditions or how to apply", c)
		}
		if !strings.HasSuffix(fmt.Sprint(ld["license"]), "#terms-conditional") {
			t.Errorf("conditional licence %v", ld["license"])
		}
		return
	}
	if _, ok := ld["conditionsOfAccess"]; ok {
		t.Errorf("unconditional data has conditionsOfAccess %v", ld["conditionsOfAccess"])
	}
	list, ok := dist.([]any)
	if !ok || len(list) != len(d.Resources) || len(list) == 0 {
		t.Fatalf("distribution %#v, want one DataDownload per resource (%d)", dist, len(d.Resources))
	}
	for i, x := range list {
		dd, _ := x.(map[string]any)
		r := d.Resources[i]
		if dd["@type"] != "DataDownload" || dd["name"] != r.Name {
			t.Errorf("distribution[%d] %#v", i, dd)
		}
		if ef, _ := dd["encodingFormat"].(string); ef == "" || !strings.HasPrefix(r.MediaType, ef) {
			t.Errorf("distribution[%d] encodingFormat %v, resource media type %q", i, dd["encodingFormat"], r.MediaType)
		}
		cu := fmt.Sprint(dd["contentUrl"])
		absolute("contentUrl", cu)
		if cu != base+"/api/v1/resources/"+r.ID+"/download" {
			t.Errorf("distribution[%d] contentUrl %q", i, cu)
		}
	}
}

// TestDatasetPage: GET /datasets/{id} without JavaScript — the content, the
// JSON-LD, the language, the download or apply action, what is not public.
func TestDatasetPage(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newDSEnv(t, engine)
			openID := e.ids(t, "hlj-scjgj", catalog.Unconditional)[0]
			condID := e.ids(t, "hlj-scjgj", catalog.Conditional)[0]

			for _, id := range []string{openID, condID} {
				d := e.dataset(t, id)
				r := e.get(t, "/datasets/"+id, http.StatusOK)
				body := string(r.Body)
				if lang := dsOne(t, dsHTMLRE, body, "<html>"); lang != "zh-CN" {
					t.Errorf("%s: <html lang=%q>", id, lang)
				}
				if title := html.UnescapeString(dsOne(t, dsTitleRE, body, "<title>")); !strings.Contains(title, d.Title) {
					t.Errorf("%s: <title> %q lacks %q", id, title, d.Title)
				}
				if h1 := html.UnescapeString(dsOne(t, dsH1RE, body, "<h1>")); h1 != d.Title {
					t.Errorf("%s: <h1> %q, want %q", id, h1, d.Title)
				}
				// The metadata, data items and resource cards are in the HTML.
				for _, want := range []string{
					html.EscapeString(d.Department.Name), `href="/departments/` + d.DepartmentID + `"`, `href="/topics/` + d.TopicID + `"`,
					d.ResourceCode, html.EscapeString(d.Description), `<meta property="og:type" content="article">`,
					`<link rel="canonical" href="` + e.URL + `/datasets/` + id + `">`,
					`<link rel="alternate" type="text/turtle" href="/dataset/` + id + `.ttl"`,
					`href="/corrections/new?dataset=` + id + `"`,
					`data-testid="corrections-history" aria-live="polite">纠错记录：`,
				} {
					if !strings.Contains(body, want) {
						t.Errorf("%s: page lacks %q", id, want)
					}
				}
				for _, it := range d.DataItems {
					if !strings.Contains(body, `<tr data-item="`+it.Name+`">`) {
						t.Errorf("%s: data item %s not in the table", id, it.Name)
					}
				}
				if n := strings.Count(body, `data-testid="resource-row"`); n != len(d.Resources) || n == 0 {
					t.Errorf("%s: %d resource cards, %d resources", id, n, len(d.Resources))
				}
				if strings.Contains(body, "<table class=\"data-table resources-table\"") {
					t.Errorf("%s: resources as a table", id)
				}
				downloads := strings.Count(body, `data-testid="download-link"`)
				applies := strings.Count(body, `data-testid="apply-link"`)
				if d.OpenType == catalog.Unconditional {
					if downloads != len(d.Resources) || applies != 0 {
						t.Errorf("%s (unconditional): %d download links, %d apply links", id, downloads, applies)
					}
					for _, res := range d.Resources {
						if !strings.Contains(body, `<a class="btn btn-primary" href="/api/v1/resources/`+res.ID+`/download" download`) {
							t.Errorf("%s: no plain download link for %s", id, res.ID)
						}
					}
				} else {
					if downloads != 0 || applies != len(d.Resources) || !strings.Contains(body, `href="/apply?dataset=`+id+`"`) {
						t.Errorf("%s (conditional): %d download links, %d apply links", id, downloads, applies)
					}
					if strings.Contains(body, "/api/v1/resources/") {
						t.Errorf("%s (conditional): the page names a download URL", id)
					}
				}
				dsCheckLD(t, dsJSONLD(t, body), d, e.URL, e.URL+"/datasets/"+id)
			}

			// English, by Accept-Language and by ?lang=en.
			d := e.dataset(t, openID)
			for _, hdr := range [][]string{{"Accept-Language", "en-GB,en;q=0.9"}, nil} {
				path := "/datasets/" + openID
				if hdr == nil {
					path += "?lang=en"
				}
				r := e.get(t, path, http.StatusOK, hdr...)
				body := string(r.Body)
				if lang := dsOne(t, dsHTMLRE, body, "<html>"); lang != "en" || r.Header.Get("Content-Language") != "en" {
					t.Errorf("%s: <html lang=%q>, Content-Language %q", path, lang, r.Header.Get("Content-Language"))
				}
				for _, want := range []string{"Unconditionally open", ">Metadata</h2>", ">Data items</h2>", ">Download</a>", `<h1 id="page-title" data-testid="dataset-title" lang="zh-CN">`} {
					if !strings.Contains(body, want) {
						t.Errorf("%s: English page lacks %q", path, want)
					}
				}
				for _, bad := range []string{"无条件开放", "基本信息", "数据项</h2>"} {
					if strings.Contains(body, bad) {
						t.Errorf("%s: English page shows %q", path, bad)
					}
				}
				dsCheckLD(t, dsJSONLD(t, body), d, e.URL, e.URL+"/datasets/"+openID+"?lang=en")
			}

			// Not public: what the API answers 404 is the HTML 404 page.
			var notOpen []string
			e.DB.Model(&catalog.Dataset{}).Where("open_type = ?", catalog.NotOpen).Order("id").Limit(1).Pluck("id", &notOpen)
			if len(notOpen) == 0 {
				t.Fatal("no not_open entry in the small seed")
			}
			draft := e.ids(t, "", catalog.Unconditional)[5]
			if err := e.DB.Model(&catalog.Dataset{}).Where("id = ?", draft).Update("status", catalog.StatusDraft).Error; err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{notOpen[0], draft, "ds-no-such-entry", "bad%20id"} {
				if r := e.Get(t, "/api/v1/datasets/"+id); r.Status != http.StatusNotFound {
					t.Errorf("API %s: %d", id, r.Status)
				}
				body := string(e.get(t, "/datasets/"+id, http.StatusNotFound).Body)
				if !strings.Contains(body, `name="q"`) || strings.Contains(body, "application/ld+json") {
					t.Errorf("%s: not the 404 page", id)
				}
			}
		})
	}
}

// TestDatasetPageCacheAndETag: the rendered page is kept, answers 304 to
// its ETag, and shows a change once the outbox has applied it.
func TestDatasetPageCacheAndETag(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newDSEnv(t, engine)
			id := e.ids(t, "hlj-scjgj", catalog.Unconditional)[0]
			old := e.dataset(t, id).Title
			r := e.get(t, "/datasets/"+id, http.StatusOK)
			etag := r.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			if r := e.Do(t, http.MethodGet, "/datasets/"+id, nil, map[string]string{"If-None-Match": etag}); r.Status != http.StatusNotModified || len(r.Body) != 0 {
				t.Fatalf("If-None-Match: %d (%d bytes), want 304", r.Status, len(r.Body))
			}
			if r := e.Do(t, http.MethodGet, "/datasets/"+id, nil, map[string]string{"If-None-Match": `"other"`}); r.Status != http.StatusOK {
				t.Fatalf("another ETag: %d", r.Status)
			}
			if r := e.get(t, "/datasets/"+id, http.StatusOK, "Accept-Language", "en"); r.Header.Get("ETag") == etag {
				t.Error("the English page has the Chinese page's ETag")
			}

			// A new title through the publishing service: the provider edits,
			// the authority approves; the change reaches the page through the
			// outbox, not before.
			title := old + "（修订）"
			do := func(role, method, path string, body any, status int) {
				t.Helper()
				if r := e.roles.Do(t, role, method, path, body); r.Status != status {
					t.Fatalf("%s %s as %s: %d %s", method, path, role, r.Status, r.Body)
				}
			}
			do("provider", http.MethodPatch, "/api/v1/manage/datasets/"+id, map[string]any{"title": title}, http.StatusOK)
			do("provider", http.MethodPost, "/api/v1/manage/datasets/"+id+"/submit", nil, http.StatusOK)
			do("authority", http.MethodPost, "/api/v1/manage/datasets/"+id+"/review", map[string]string{"decision": "approve"}, http.StatusOK)
			if got := e.dataset(t, id).Title; got != title {
				t.Fatalf("approved title %q", got)
			}
			if h1 := html.UnescapeString(dsOne(t, dsH1RE, string(e.get(t, "/datasets/"+id, http.StatusOK).Body), "<h1>")); h1 != old {
				t.Errorf("before the outbox ran the page says %q: not the kept page (%q)", h1, old)
			}
			for {
				n, err := e.Outbox.Drain(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
			}
			r = e.get(t, "/datasets/"+id, http.StatusOK)
			if h1 := html.UnescapeString(dsOne(t, dsH1RE, string(r.Body), "<h1>")); h1 != title {
				t.Errorf("after the outbox the page says %q, want %q", h1, title)
			}
			if r.Header.Get("ETag") == etag {
				t.Error("the changed page kept its ETag")
			}
			if r := e.Do(t, http.MethodGet, "/datasets/"+id, nil, map[string]string{"If-None-Match": etag}); r.Status != http.StatusOK {
				t.Errorf("the old ETag: %d, want 200", r.Status)
			}
		})
	}
}

// TestDatasetPageGone: a withdrawn entry's page answers 410 with the
// tombstone and its announcement, as the API answers 410.
func TestDatasetPageGone(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newDSEnv(t, engine)
			id := e.ids(t, "hlj-scjgj", catalog.Unconditional)[0]
			title := e.dataset(t, id).Title
			rev := e.roles.PostJSON(t, "provider", "/api/v1/revocations", map[string]any{
				"dataset_id": id, "reason": "数据来源系统停止运行", "legal_basis": "《黑龙江省政务数据管理暂行办法》第三十五条", "effective_date": "2026-06-01"})
			if rev.Status != http.StatusCreated {
				t.Fatalf("request: %d %s", rev.Status, rev.Body)
			}
			var created struct{ ID string }
			rev.JSON(t, &created)
			e.clock.Set(time.Date(2026, 5, 8, 15, 30, 0, 0, calendar.Zone))
			dec := e.roles.PostJSON(t, "authority", "/api/v1/revocations/"+created.ID+"/decision", map[string]string{"decision": "approve", "reason": "同意"})
			if dec.Status != http.StatusOK {
				t.Fatalf("approve: %d %s", dec.Status, dec.Body)
			}
			var decided struct {
				Announcement struct{ ID, Title, Number string }
			}
			dec.JSON(t, &decided)
			ann := decided.Announcement
			if ann.ID == "" || ann.Title == "" {
				t.Fatalf("no announcement: %s", dec.Body)
			}
			e.get(t, "/datasets/"+id, http.StatusOK) // open until the effective date

			// At the effective time the job applies it and the outbox drops
			// the 200 kept before; then 410 twice (the second from the kept
			// 410), and in English.
			e.clock.Set(time.Date(2026, 6, 1, 0, 0, 0, 0, calendar.Zone))
			if _, err := e.Revocations.ApplyDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Outbox.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			if r := e.Get(t, "/api/v1/datasets/"+id); r.Status != http.StatusGone {
				t.Fatalf("API: %d, want 410", r.Status)
			}
			for i := 0; i < 2; i++ {
				body := string(e.get(t, "/datasets/"+id, http.StatusGone).Body)
				for _, want := range []string{html.EscapeString(ann.Title), html.EscapeString(ann.Number), html.EscapeString(title), `href="/announcements/` + ann.ID + `"`, "数据来源系统停止运行", `<meta name="robots" content="noindex">`, `href="/datasets?q=`} {
					if !strings.Contains(body, want) {
						t.Errorf("410 page lacks %q", want)
					}
				}
				if strings.Contains(body, "application/ld+json") || strings.Contains(body, "/download") {
					t.Error("the 410 page describes the data as available")
				}
			}
			body := string(e.get(t, "/datasets/"+id, http.StatusGone, "Accept-Language", "en").Body)
			if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Read the revocation announcement") || !strings.Contains(body, html.EscapeString(ann.Title)) {
				t.Error("the English 410 page")
			}
		})
	}
}

// TestDatasetPageGoneBeforeJob: at the effective time, before the job
// applied the revocation, the page answers 410 (the tombstone comes from
// the approved revocation), although a 200 was kept a moment before.
func TestDatasetPageGoneBeforeJob(t *testing.T) {
	e := newDSEnv(t, "sqlite")
	id := e.ids(t, "hlj-scjgj", catalog.Conditional)[0]
	rev := e.roles.PostJSON(t, "provider", "/api/v1/revocations", map[string]any{
		"dataset_id": id, "reason": "系统停止运行", "legal_basis": "《黑龙江省政务数据管理暂行办法》第三十五条", "effective_date": "2026-06-01"})
	if rev.Status != http.StatusCreated {
		t.Fatalf("request: %d %s", rev.Status, rev.Body)
	}
	var created struct{ ID string }
	rev.JSON(t, &created)
	e.clock.Set(time.Date(2026, 5, 8, 15, 30, 0, 0, calendar.Zone))
	if r := e.roles.PostJSON(t, "authority", "/api/v1/revocations/"+created.ID+"/decision", map[string]string{"decision": "approve", "reason": "同意"}); r.Status != http.StatusOK {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	e.get(t, "/datasets/"+id, http.StatusOK) // kept, until the effective time
	e.clock.Set(time.Date(2026, 6, 1, 0, 0, 0, 0, calendar.Zone))
	body := string(e.get(t, "/datasets/"+id, http.StatusGone).Body)
	if !strings.Contains(body, `data-testid="tombstone-announcement"`) {
		t.Error("no link to the announcement")
	}
}

// TestDatasetPageScriptInTitle: a title that tries to close the JSON-LD
// script stays data: the page has one JSON-LD block that decodes to the
// title, and no injected element.
func TestDatasetPageScriptInTitle(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newDSEnv(t, engine)
			evil := `企业名录</script><script>alert("x")</script><!--`
			src := seed.Demo().Datasets[0]
			sd := seed.Dataset{
				ID: "ds-escape-test", Title: evil, Description: `说明 </script><img src=x onerror=alert(1)> & "引号"`,
				DepartmentID: src.DepartmentID, TopicCode: src.TopicCode, OpenType: "unconditional", UpdateFrequency: "monthly",
				Classification: "基础数据", Grade: "L1", Tags: []string{"</script>", "标签"}, Region: "黑龙江省", DataItems: src.DataItems,
				Resources: []seed.Resource{{ID: "res-escape-test-1", Name: "名录</script>", Format: "CSV", Rows: 1,
					Write: func(w io.Writer) error { _, err := io.WriteString(w, "a\n1\n"); return err }}},
				PublishedAt: e.clock.Now().AddDate(0, -1, 0), UpdatedAt: e.clock.Now().AddDate(0, 0, -3),
			}
			if err := e.Catalog.LoadCatalog(context.Background(), seed.Catalog{Datasets: []seed.Dataset{sd}}, nil); err != nil {
				t.Fatal(err)
			}
			body := string(e.get(t, "/datasets/"+sd.ID, http.StatusOK).Body)
			for _, bad := range []string{`<script>alert`, `<img src=x`, `</script><!--`} {
				if strings.Contains(body, bad) {
					t.Errorf("the page contains %q unescaped", bad)
				}
			}
			if n := strings.Count(body, "<script"); n != 2 { // the page module and the JSON-LD
				t.Errorf("%d <script elements, want 2", n)
			}
			ld := dsJSONLD(t, body)
			if ld["name"] != evil || ld["description"] != sd.Description {
				t.Errorf("JSON-LD name %q description %q", ld["name"], ld["description"])
			}
			if h1 := html.UnescapeString(dsOne(t, dsH1RE, body, "<h1>")); h1 != evil {
				t.Errorf("<h1> %q", h1)
			}
		})
	}
}
