package ckan_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

type envelope struct {
	Help    string         `json:"help"`
	Success bool           `json:"success"`
	Result  any            `json:"result"`
	Error   map[string]any `json:"error"`
}

func call(t *testing.T, p *apptest.Portal, method, action, query string, body any) (int, envelope) {
	t.Helper()
	var r *apptest.Response
	if method == "POST" {
		r = p.PostJSON(t, "/api/3/action/"+action, body, nil)
	} else {
		r = p.Get(t, "/api/3/action/"+action+query)
	}
	var e envelope
	r.JSON(t, &e)
	if !strings.Contains(e.Help, "help_show?name=") {
		t.Errorf("%s: help %q", action, e.Help)
	}
	return r.Status, e
}

// The calls ckanext-harvest's CKAN harvester (and ckanapi) make, in order:
// status, package_list, package_search pages by metadata_modified, then
// package_show of each, organization_list with all_fields.
func TestHarvesterReplay(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small"})
			var public int64
			p.DB.Model(&catalog.Dataset{}).Where("status = ? AND open_type IN ?", catalog.StatusPublished, []string{"unconditional", "conditional"}).Count(&public)
			var notOpen catalog.Dataset
			p.DB.Where("open_type = ?", catalog.NotOpen).First(&notOpen)

			if r := p.Get(t, "/api/util/status"); r.Status != 200 || r.Map(t)["ckan_version"] == nil {
				t.Fatalf("util/status: %d %s", r.Status, r.Body)
			}
			st, e := call(t, p, "GET", "status_show", "", nil)
			if st != 200 || !e.Success {
				t.Fatalf("status_show %d", st)
			}
			_, e = call(t, p, "GET", "package_list", "", nil)
			names := e.Result.([]any)
			if int64(len(names)) != public {
				t.Errorf("package_list %d names, want %d", len(names), public)
			}
			for _, n := range names {
				if n == notOpen.ID {
					t.Error("package_list lists a not_open entry")
				}
			}
			// Paging as the harvester does: fq on metadata_modified, sorted, rows/start.
			seen := map[string]bool{}
			for start := 0; ; start += 7 {
				q := url.Values{"fq": {"metadata_modified:[2000-01-01T00:00:00Z TO *]"}, "sort": {"metadata_modified asc"}, "rows": {"7"}, "start": {strconv.Itoa(start)}}
				st, e := call(t, p, "GET", "package_search", "?"+q.Encode(), nil)
				if st != 200 {
					t.Fatalf("package_search: %d %v", st, e.Error)
				}
				res := e.Result.(map[string]any)
				if int64(res["count"].(float64)) != public {
					t.Fatalf("count %v, want %d", res["count"], public)
				}
				list := res["results"].([]any)
				prev := ""
				for _, x := range list {
					pk := x.(map[string]any)
					id := pk["id"].(string)
					if seen[id] {
						t.Fatalf("%s on two pages", id)
					}
					seen[id] = true
					if mm := pk["metadata_modified"].(string); mm < prev {
						t.Errorf("not sorted by metadata_modified: %s < %s", mm, prev)
					} else {
						prev = mm
					}
				}
				if len(list) < 7 {
					break
				}
			}
			if int64(len(seen)) != public {
				t.Errorf("paged %d packages, want %d", len(seen), public)
			}
			// package_show of each kind: shapes harvesters read.
			var cond catalog.Dataset
			p.DB.Where("open_type = ?", catalog.Conditional).Order("id").First(&cond)
			for _, id := range []string{names[0].(string), cond.ID} {
				st, e := call(t, p, "POST", "package_show", "", map[string]string{"id": id})
				if st != 200 {
					t.Fatalf("package_show %s: %d", id, st)
				}
				pk := e.Result.(map[string]any)
				for _, k := range []string{"id", "name", "title", "notes", "metadata_modified", "metadata_created", "owner_org", "organization", "groups", "tags", "resources", "extras", "license_id", "state", "type", "num_resources"} {
					if _, ok := pk[k]; !ok {
						t.Errorf("package_show %s: no %s", id, k)
					}
				}
				if pk["organization"].(map[string]any)["is_organization"] != true {
					t.Error("organization shape")
				}
				extras := map[string]string{}
				for _, x := range pk["extras"].([]any) {
					kv := x.(map[string]any)
					extras[kv["key"].(string)] = kv["value"].(string)
				}
				res := pk["resources"].([]any)[0].(map[string]any)
				if id == cond.ID {
					if extras["open_type"] != "conditional" || extras["open_conditions"] == "" || !strings.Contains(res["url"].(string), "/apply?dataset=") {
						t.Errorf("conditional package: extras %v url %v", extras, res["url"])
					}
				} else if !strings.HasSuffix(res["url"].(string), "/download") || res["package_id"] != id {
					t.Errorf("resource %v", res)
				}
			}
			if st, e := call(t, p, "GET", "package_show", "?id="+notOpen.ID, nil); st != 404 || e.Success || e.Error["__type"] != "Not Found Error" {
				t.Errorf("not_open package_show: %d %v", st, e.Error)
			}
			// organization_list with all_fields; group_list; facets.
			_, e = call(t, p, "GET", "organization_list", "?all_fields=true", nil)
			orgs := e.Result.([]any)
			if len(orgs) == 0 || orgs[0].(map[string]any)["package_count"] == nil {
				t.Errorf("organization_list %v", orgs)
			}
			org := orgs[0].(map[string]any)["name"].(string)
			q := url.Values{"fq": {"organization:" + org + " -res_format:PDF"}, "facet.field": {`["organization","groups","tags","res_format","license_id"]`}, "facet.limit": {"5"}, "rows": {"0"}}
			_, e = call(t, p, "GET", "package_search", "?"+q.Encode(), nil)
			res := e.Result.(map[string]any)
			facets := res["facets"].(map[string]any)
			if c := facets["organization"].(map[string]any)[org]; c == nil || c.(float64) != res["count"].(float64) {
				t.Errorf("organization facet %v, count %v", facets["organization"], res["count"])
			}
			if len(res["search_facets"].(map[string]any)["tags"].(map[string]any)["items"].([]any)) > 5 {
				t.Error("facet.limit ignored")
			}
			// OR and negation partition the catalog.
			count := func(fq string) float64 {
				_, e := call(t, p, "GET", "package_search", "?rows=0&fq="+url.QueryEscape(fq), nil)
				return e.Result.(map[string]any)["count"].(float64)
			}
			if a, b := count("organization:"+org), count("-organization:"+org); int64(a+b) != public {
				t.Errorf("org %v + not org %v != %d", a, b, public)
			}
			if a, b, both := count("license_id:hlj-unconditional"), count("license_id:hlj-conditional"), count("license_id:hlj-unconditional OR license_id:hlj-conditional"); a+b != both || int64(both) != public {
				t.Errorf("OR: %v + %v != %v", a, b, both)
			}
			if n := count("metadata_modified:[2999-01-01T00:00:00Z TO *]"); n != 0 {
				t.Errorf("future range: %v", n)
			}
			// Limits and errors in CKAN's shape.
			_, e = call(t, p, "GET", "package_search", "?rows=5000", nil)
			if len(e.Result.(map[string]any)["results"].([]any)) > 1000 {
				t.Error("rows not capped at 1000")
			}
			for q, want := range map[string]int{"?fq=" + url.QueryEscape("organization:(a"): 400, "?fq=nosuch:1": 400, "?rows=-1": 400, "?sort=foo+asc": 400} {
				if st, e := call(t, p, "GET", "package_search", q, nil); st != want || e.Success || e.Error["__type"] == nil {
					t.Errorf("package_search%s: %d %v", q, st, e.Error)
				}
			}
			if st, e := call(t, p, "GET", "no_such_action", "", nil); st != 400 || e.Success {
				t.Errorf("unknown action: %d", st)
			}
			// DataStore over a CSV resource.
			_, e = call(t, p, "POST", "datastore_search", "", map[string]any{"resource_id": "res-hlj-scjgj-001-1", "limit": 3, "filters": map[string]any{"status": "存续"}})
			ds := e.Result.(map[string]any)
			if len(ds["records"].([]any)) != 3 || ds["fields"].([]any)[0].(map[string]any)["id"] != "_id" {
				t.Errorf("datastore_search %v", ds)
			}
			for _, a := range []string{"group_list", "tag_list", "license_list", "current_package_list_with_resources"} {
				if st, e := call(t, p, "GET", a, "", nil); st != 200 || !e.Success {
					t.Errorf("%s: %d", a, st)
				}
			}
			// /api/action/ is the same API.
			if r := p.Get(t, "/api/action/package_list?limit=2"); r.Status != 200 || len(r.Map(t)["result"].([]any)) != 2 {
				t.Errorf("/api/action: %d", r.Status)
			}
		})
	}
}

// ckanext-harvest's CKAN harvester (ckanext/harvest/harvesters/ckanharvester.py,
// commit 1a9a987d): _search_for_datasets pages package_search with rows=100,
// sort "id asc" and fq of "-organization:x" terms and "metadata_modified:
// [<isoformat>Z TO *]" (:196-235, :300-366); import_stage reads id, name,
// type, tags, groups (id, name: group_show of each with remote_groups),
// owner_org (organization_show with remote_orgs), extras (key, value) and
// resources, dropping url_type and revision_id (:380-545).
func TestHarvesterReplayReads(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	var public []string
	p.DB.Model(&catalog.Dataset{}).Where("status = ? AND open_type IN ?", catalog.StatusPublished, []string{"unconditional", "conditional"}).Order("id").Pluck("id", &public)
	var excluded catalog.Department
	p.DB.Order("id").First(&excluded)
	var inExcluded int64
	p.DB.Model(&catalog.Dataset{}).Where("status = ? AND open_type IN ? AND department_id = ?", catalog.StatusPublished, []string{"unconditional", "conditional"}, excluded.ID).Count(&inExcluded)

	since := time.Date(2000, 1, 2, 3, 4, 5, 123456000, time.UTC).Format("2006-01-02T15:04:05.999999") // datetime.isoformat()
	fq := "-organization:" + excluded.ID + " metadata_modified:[" + since + "Z TO *]"
	var ids []string
	for start := 0; start < 10000; start += 100 {
		q := url.Values{"rows": {"100"}, "start": {strconv.Itoa(start)}, "sort": {"id asc"}, "fq": {fq}}
		st, e := call(t, p, "GET", "package_search", "?"+q.Encode(), nil)
		if st != 200 || !e.Success {
			t.Fatalf("package_search: %d %v", st, e.Error)
		}
		page := e.Result.(map[string]any)["results"].([]any)
		for _, x := range page {
			pk := x.(map[string]any)
			id := pk["id"].(string)
			if len(ids) > 0 && id <= ids[len(ids)-1] {
				t.Errorf("not sorted by id asc: %s after %s", id, ids[len(ids)-1])
			}
			ids = append(ids, id)
			if pk["name"] == "" || pk["type"] != "dataset" || pk["owner_org"] == excluded.ID {
				t.Errorf("package %s: name %v type %v owner_org %v", id, pk["name"], pk["type"], pk["owner_org"])
			}
			if pk["owner_org"] != pk["organization"].(map[string]any)["id"] {
				t.Errorf("owner_org %v is not organization.id", pk["owner_org"])
			}
			for _, g := range pk["groups"].([]any) {
				gm := g.(map[string]any)
				if gm["id"] == "" || gm["name"] == "" {
					t.Errorf("group %v", gm)
				}
			}
			for _, tg := range pk["tags"].([]any) {
				if tg.(map[string]any)["name"] == "" {
					t.Errorf("tag %v", tg)
				}
			}
			for _, x := range pk["extras"].([]any) {
				kv := x.(map[string]any)
				if _, ok := kv["value"].(string); !ok || kv["key"] == "" {
					t.Errorf("extra %v", kv)
				}
			}
			for _, r := range pk["resources"].([]any) {
				rm := r.(map[string]any)
				if _, ok := rm["url_type"]; !ok || rm["url"] == "" || rm["package_id"] != id {
					t.Errorf("resource %v", rm)
				}
			}
		}
		if len(page) < 100 {
			break
		}
	}
	if int64(len(ids)) != int64(len(public))-inExcluded {
		t.Errorf("harvested %d, want %d - %d", len(ids), len(public), inExcluded)
	}
	// remote_orgs / remote_groups: the harvester shows each by id.
	var d catalog.Dataset
	p.DB.Where("id = ?", ids[0]).Take(&d)
	if st, e := call(t, p, "GET", "organization_show", "?id="+d.DepartmentID, nil); st != 200 || e.Result.(map[string]any)["id"] != d.DepartmentID {
		t.Errorf("organization_show %d", st)
	}
	if st, e := call(t, p, "GET", "group_show", "?id="+d.TopicID, nil); st != 200 || e.Result.(map[string]any)["name"] != d.TopicID {
		t.Errorf("group_show %d", st)
	}
}
