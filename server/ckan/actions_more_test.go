package ckan_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/publishing"
)

// The validator has teeth: the shapes uData rejected before are rejected.
func TestUDataSchemaRejects(t *testing.T) {
	pk := map[string]any{
		"id": "a", "name": "a", "title": "t", "notes": "", "license_id": "x", "license_title": "x", "tags": []any{},
		"metadata_created": "2024-01-02T03:04:05.000000", "metadata_modified": "2024-01-02T03:04:05.000000",
		"private": false, "type": "dataset", "author": "", "author_email": "", "maintainer": "", "maintainer_email": "", "state": "active",
		"organization": map[string]any{"id": "o", "description": "", "created": "2024-01-02T03:04:05.000000", "title": "o", "name": "o",
			"revision_timestamp": "2024-01-02T03:04:05.000000", "is_organization": true, "state": "active", "image_url": "", "revision_id": "r",
			"type": "organization", "approval_status": "approved"},
		"resources": []any{map[string]any{"id": "r", "position": 0.0, "name": "n", "description": "", "format": "CSV", "mimetype": "text/csv",
			"size": 1.0, "hash": "", "created": "2024-01-02T03:04:05.000000", "last_modified": nil, "url": "https://data.hlj.gov.cn/x", "resource_type": "file"}},
	}
	if errs := udataValidate(pk); len(errs) != 0 {
		t.Fatalf("valid package rejected: %v", errs)
	}
	org := pk["organization"].(map[string]any)
	delete(org, "revision_id")
	res := pk["resources"].([]any)[0].(map[string]any)
	res["last_modified"] = ""
	res["url"] = "http://127.0.0.1:8080/x"
	delete(res, "resource_type")
	errs := strings.Join(udataValidate(pk), "\n")
	for _, want := range []string{".organization.revision_id: required", ".resources[0].last_modified: not a date", ".resources[0].url: local", ".resources[0].resource_type: required"} {
		if !strings.Contains(errs, want) {
			t.Errorf("no %q in\n%s", want, errs)
		}
	}
}

func result[T any](t *testing.T, p *apptest.Portal, action, query string) T {
	t.Helper()
	st, e := call(t, p, "GET", action, query, nil)
	if st != 200 || !e.Success {
		t.Fatalf("%s%s: %d %v", action, query, st, e.Error)
	}
	v, ok := e.Result.(T)
	if !ok {
		t.Fatalf("%s%s: result %T", action, query, e.Result)
	}
	return v
}

// badParam asserts a CKAN Validation Error naming the parameter.
func badParam(t *testing.T, p *apptest.Portal, action, query, field string) {
	t.Helper()
	st, e := call(t, p, "GET", action, query, nil)
	if (st != 400 && st != 409) || e.Success || e.Error["__type"] != "Validation Error" || e.Error[field] == nil {
		t.Errorf("%s%s: %d %v, want a Validation Error on %s", action, query, st, e.Error, field)
	}
}

func TestMoreActions(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) { testMoreActions(t, engine) })
	}
}

func testMoreActions(t *testing.T, engine string) {
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small"})
	var notOpen, cond, open catalog.Dataset
	p.DB.Where("open_type = ?", catalog.NotOpen).First(&notOpen)
	p.DB.Where("open_type = ? AND status = ?", catalog.Conditional, catalog.StatusPublished).Order("id").First(&cond)
	p.DB.Where("open_type = ? AND status = ?", catalog.Unconditional, catalog.StatusPublished).Order("id").First(&open)
	isPublic := map[string]bool{}
	var ids []string
	p.DB.Model(&catalog.Dataset{}).Where("status = ? AND open_type IN ?", catalog.StatusPublished, []string{"unconditional", "conditional"}).Pluck("id", &ids)
	for _, id := range ids {
		isPublic[id] = true
	}

	t.Run("tag_show", func(t *testing.T) {
		tag := open.Tags[0]
		got := result[map[string]any](t, p, "tag_show", "?include_datasets=true&id="+url.QueryEscape(tag))
		if got["name"] != tag || got["state"] != "active" {
			t.Errorf("tag_show %v", got)
		}
		var want int64
		for _, id := range ids {
			var d catalog.Dataset
			p.DB.Select("tags").Where("id = ?", id).Take(&d)
			for _, x := range d.Tags {
				if x == tag {
					want++
				}
			}
		}
		pks := got["packages"].([]any)
		if int64(len(pks)) != min(want, 100) {
			t.Errorf("tag_show packages %d, want %d", len(pks), want)
		}
		for _, x := range pks {
			if !isPublic[x.(map[string]any)["id"].(string)] {
				t.Errorf("tag_show lists %v", x.(map[string]any)["id"])
			}
		}
		if st, e := call(t, p, "GET", "tag_show", "?id=no-such-tag", nil); st != 404 || e.Error["__type"] != "Not Found Error" {
			t.Errorf("unknown tag: %d %v", st, e.Error)
		}
		// A tag only a not_open entry has is not shown.
		p.DB.Model(&catalog.Dataset{}).Where("id = ?", notOpen.ID).Update("tags", catalog.Strings{"only-not-open"})
		if st, _ := call(t, p, "GET", "tag_show", "?id=only-not-open", nil); st != 404 {
			t.Errorf("tag of a not_open entry: %d", st)
		}
		badParam(t, p, "tag_show", "", "id")
		badParam(t, p, "tag_show", "?id=x&include_datasets=maybe", "include_datasets")
	})

	t.Run("package_autocomplete", func(t *testing.T) {
		q := []rune(open.Title)[:2]
		got := result[[]any](t, p, "package_autocomplete", "?limit=5&q="+url.QueryEscape(string(q)))
		if len(got) == 0 || len(got) > 5 {
			t.Fatalf("package_autocomplete %v", got)
		}
		for _, x := range got {
			m := x.(map[string]any)
			if !isPublic[m["name"].(string)] || m["match_field"] != "title" || !strings.Contains(m["title"].(string), string(q)) || m["match_displayed"] == "" {
				t.Errorf("match %v", m)
			}
		}
		byName := result[[]any](t, p, "package_autocomplete", "?q="+url.QueryEscape(open.ID))
		if len(byName) != 1 || byName[0].(map[string]any)["name"] != open.ID {
			t.Errorf("by name %v", byName)
		}
		if got := result[[]any](t, p, "package_autocomplete", "?q="+url.QueryEscape(notOpen.Title)); len(got) != 0 && got[0].(map[string]any)["name"] == notOpen.ID {
			t.Errorf("not_open entry suggested")
		}
		if got := result[[]any](t, p, "package_autocomplete", "?q=%25"); len(got) != 0 {
			t.Errorf("%% is a wildcard: %v", got)
		}
		if got := result[[]any](t, p, "package_autocomplete", "?q=x&limit=1000"); len(got) > 100 {
			t.Errorf("limit not capped")
		}
		badParam(t, p, "package_autocomplete", "?q=a&limit=x", "limit")
		badParam(t, p, "package_autocomplete", "?q="+strings.Repeat("a", 201), "q")
	})

	t.Run("format_autocomplete", func(t *testing.T) {
		got := result[[]any](t, p, "format_autocomplete", "?q=cs")
		if len(got) != 1 || got[0] != "csv" {
			t.Errorf("format_autocomplete %v", got)
		}
		if got := result[[]any](t, p, "format_autocomplete", "?q=s&limit=1"); len(got) != 1 {
			t.Errorf("limit: %v", got)
		}
		badParam(t, p, "format_autocomplete", "?q=a&limit=-1", "limit")
	})

	t.Run("organization_autocomplete", func(t *testing.T) {
		name := []rune(open.Department.Name)
		if len(name) == 0 {
			p.DB.Where("id = ?", open.DepartmentID).Take(&open.Department)
			name = []rune(open.Department.Name)
		}
		got := result[[]any](t, p, "organization_autocomplete", "?q="+url.QueryEscape(string(name)))
		if len(got) == 0 || got[0].(map[string]any)["id"] != open.DepartmentID || got[0].(map[string]any)["title"] != open.Department.Name {
			t.Errorf("organization_autocomplete %v", got)
		}
		badParam(t, p, "organization_autocomplete", "?q=a&limit=abc", "limit")
	})

	t.Run("group_package_show", func(t *testing.T) {
		got := result[[]any](t, p, "group_package_show", "?limit=3&id="+open.TopicID)
		if len(got) == 0 || len(got) > 3 {
			t.Fatalf("group_package_show %d", len(got))
		}
		prev := "9999"
		for _, x := range got {
			m := x.(map[string]any)
			if m["groups"].([]any)[0].(map[string]any)["id"] != open.TopicID || !isPublic[m["id"].(string)] || m["metadata_modified"].(string) > prev {
				t.Errorf("package %v", m["id"])
			}
			prev = m["metadata_modified"].(string)
		}
		if st, e := call(t, p, "GET", "group_package_show", "?id=nosuch", nil); st != 404 || e.Error["__type"] != "Not Found Error" {
			t.Errorf("unknown group %d", st)
		}
		badParam(t, p, "group_package_show", "?id="+open.TopicID+"&limit=0", "limit")
		badParam(t, p, "group_package_show", "", "id")
	})

	t.Run("resource_search", func(t *testing.T) {
		var csv int64
		p.DB.Table("resources").Joins("JOIN datasets ON datasets.id = resources.dataset_id").
			Where("datasets.status = ? AND datasets.open_type IN ? AND LOWER(resources.format) LIKE ?", catalog.StatusPublished, []string{"unconditional", "conditional"}, "%csv%").Count(&csv)
		got := result[map[string]any](t, p, "resource_search", "?query=format:csv&limit=4&order_by=name")
		list := got["results"].([]any)
		if int64(got["count"].(float64)) != csv || len(list) != 4 {
			t.Errorf("resource_search count %v (want %d), %d results", got["count"], csv, len(list))
		}
		prev := ""
		for _, x := range list {
			r := x.(map[string]any)
			if !strings.EqualFold(r["format"].(string), "csv") || !isPublic[r["package_id"].(string)] || r["name"].(string) < prev {
				t.Errorf("result %v", r)
			}
			prev = r["name"].(string)
		}
		// The next page does not repeat the first.
		next := result[map[string]any](t, p, "resource_search", "?query=format:csv&limit=4&offset=4&order_by=name")["results"].([]any)
		for _, x := range next {
			for _, y := range list {
				if x.(map[string]any)["id"] == y.(map[string]any)["id"] {
					t.Errorf("offset repeats %v", x.(map[string]any)["id"])
				}
			}
		}
		// A list of terms, all must match; POST as ckanapi sends it.
		var r0 catalog.Resource
		p.DB.Where("format = ?", "CSV").Order("id").First(&r0)
		st, e := call(t, p, "POST", "resource_search", "", map[string]any{"query": []string{"format:csv", "name:" + r0.Name}})
		if st != 200 || int64(e.Result.(map[string]any)["count"].(float64)) == 0 {
			t.Errorf("list query: %d %v", st, e.Result)
		}
		badParam(t, p, "resource_search", "?query=nosuch:x", "query")
		badParam(t, p, "resource_search", "?query=format:csv&order_by=size", "order_by")
		badParam(t, p, "resource_search", "?query=format:csv&offset=-2", "offset")
	})

	t.Run("activity", func(t *testing.T) {
		// The seeded entries have no versions: each shows its publication.
		acts := result[[]any](t, p, "package_activity_list", "?id="+open.ID)
		if len(acts) != 1 {
			t.Fatalf("package_activity_list %v", acts)
		}
		a := acts[0].(map[string]any)
		if a["activity_type"] != "new package" || a["object_id"] != open.ID || a["user_id"] == "" || a["id"] == "" ||
			a["data"].(map[string]any)["package"].(map[string]any)["id"] != open.ID {
			t.Errorf("activity %v", a)
		}
		// An approved version is "changed package", newest first.
		at := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
		v := publishing.Version{DatasetID: open.ID, Number: 2, DepartmentID: open.DepartmentID, Status: publishing.StatusApproved, Title: "新标题", Snapshot: "{}", ApprovedAt: &at, CreatedAt: at, UpdatedAt: at}
		first := v
		first.Number, first.Title = 1, open.Title
		old := at.Add(-48 * time.Hour)
		first.ApprovedAt = &old
		if err := p.DB.Create(&first).Error; err != nil {
			t.Fatal(err)
		}
		if err := p.DB.Create(&v).Error; err != nil {
			t.Fatal(err)
		}
		acts = result[[]any](t, p, "package_activity_list", "?id="+open.ID)
		if len(acts) != 2 || acts[0].(map[string]any)["activity_type"] != "changed package" || acts[1].(map[string]any)["activity_type"] != "new package" ||
			acts[0].(map[string]any)["data"].(map[string]any)["package"].(map[string]any)["title"] != "新标题" {
			t.Errorf("with versions: %v", acts)
		}
		if got := result[[]any](t, p, "package_activity_list", "?limit=1&offset=1&id="+open.ID); len(got) != 1 || got[0].(map[string]any)["activity_type"] != "new package" {
			t.Errorf("paged: %v", got)
		}
		recent := result[[]any](t, p, "recently_changed_packages_activity_list", "?limit=5")
		if len(recent) != 5 || recent[0].(map[string]any)["object_id"] != open.ID {
			t.Errorf("recently_changed %v", recent)
		}
		prev := "9999"
		for _, x := range result[[]any](t, p, "recently_changed_packages_activity_list", "?limit=100") {
			m := x.(map[string]any)
			if !isPublic[m["object_id"].(string)] || m["timestamp"].(string) > prev {
				t.Errorf("activity %v", m)
			}
			prev = m["timestamp"].(string)
		}
		if st, _ := call(t, p, "GET", "package_activity_list", "?id="+notOpen.ID, nil); st != 404 {
			t.Errorf("not_open history: %d", st)
		}
		badParam(t, p, "package_activity_list", "?id="+open.ID+"&limit=0", "limit")
		badParam(t, p, "recently_changed_packages_activity_list", "?offset=5000", "offset")
	})

	t.Run("uuid ids", func(t *testing.T) {
		var res catalog.Resource
		p.DB.Where("id = ?", "res-hlj-scjgj-001-1").Take(&res)
		pk := result[map[string]any](t, p, "package_show", "?id="+res.DatasetID)
		r := pk["resources"].([]any)[0].(map[string]any)
		if r["portal_id"] != "res-hlj-scjgj-001-1" || r["mimetype"] != "text/csv" {
			t.Fatalf("resource %v", r)
		}
		ds := result[map[string]any](t, p, "datastore_search", "?limit=2&resource_id="+r["id"].(string))
		if len(ds["records"].([]any)) != 2 {
			t.Errorf("datastore_search by UUID %v", ds)
		}
		if got := result[map[string]any](t, p, "resource_show", "?id=res-hlj-scjgj-001-1"); got["id"] != r["id"] {
			t.Errorf("resource_show by portal id %v", got)
		}
	})

	// ckanapi/common.py:104 reverse_apicontroller_action (commit bedd91d1)
	// raises its matching exception for these __types only.
	t.Run("error types", func(t *testing.T) {
		var cr catalog.Resource
		p.DB.Where("dataset_id = ?", cond.ID).Order("position").First(&cr)
		for _, c := range []struct{ action, query, typ string }{
			{"package_show", "?id=no-such", "Not Found Error"},
			{"resource_show", "?id=no-such", "Not Found Error"},
			{"package_search", "?rows=x", "Validation Error"},
			{"package_search", "?fq=" + url.QueryEscape("organization:(a"), "Search Query Error"},
			{"datastore_search", "?resource_id=" + cr.ID, "Authorization Error"},
		} {
			st, e := call(t, p, "GET", c.action, c.query, nil)
			if e.Success || e.Error["__type"] != c.typ || st < 400 {
				t.Errorf("%s%s: %d %v, want %s", c.action, c.query, st, e.Error, c.typ)
			}
		}
	})

	t.Run("help", func(t *testing.T) {
		for _, a := range []string{"tag_show", "package_autocomplete", "format_autocomplete", "resource_search", "package_activity_list", "recently_changed_packages_activity_list", "organization_autocomplete", "group_package_show"} {
			if s := result[string](t, p, "help_show", "?name="+a); s == "" {
				t.Errorf("no help for %s", a)
			}
		}
	})
}
