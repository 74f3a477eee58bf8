package ckan_test

import (
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

// uData's CKAN backend (github.com/opendatateam/udata-ckan, commit
// 360682e8b90062826610d24b0c98252213510096) re-implemented in Go: the calls
// of udata_ckan/harvesters.py and the voluptuous schema of
// udata_ckan/schemas/ckan.py with the filters of udata/harvest/filters.py
// and udata/uris.py (github.com/opendatateam/udata, commit 25b5a2dd).

// schemas/ckan.py:9: RESOURCE_TYPES.
var udataResourceTypes = []string{"file", "file.upload", "api", "documentation", "image", "visualization"}

// harvesters.py:32: ALLOWED_RESOURCE_TYPES, the resources the harvester keeps.
var udataAllowedTypes = []string{"dkan", "file", "file.upload", "api", "metadata"}

// uris.py:16 URL_REGEX (Python's {,3} is RE2's {0,3}).
var udataURL = regexp.MustCompile(`(?i)^(?:(?P<scheme>[a-z0-9\.\-]*):)?//` +
	`(?P<credentials>\S+(?::\S*)?@)?` +
	`(?:(?P<localhost>localhost(?:\.localdomain)?)` +
	`|(?P<ipv4>(?:\d{0,3}\.){3}(?:\d{0,3}))` +
	`|(?:\[(?P<ipv6>[0-9a-f:]+)\])` +
	`|(?P<hostname>(?:(?:[a-z\x{00a1}-\x{ffff}0-9_]-?)*[a-z\x{00a1}-\x{ffff}0-9]+)` +
	`(?:\.(?:[a-z\x{00a1}-\x{ffff}0-9_]-?)*[a-z\x{00a1}-\x{ffff}0-9]+)*` +
	`(?:\.(?P<tld>[a-z0-9\x{00a1}-\x{ffff}]{2,}))))` +
	`(?::\d{2,5})?(?:/\S*)?(?:\?\S*)?$`)

// uris.py:127 validate with the production defaults (settings.py:554-564):
// schemes http, https, ftp, ftps; no local or private hosts; a known TLD
// (a subset of the tlds package's set, enough for the portal's host).
func udataIsURL(v string) error {
	if !strings.Contains(v, "://") { // filters.py:102: default scheme
		v = "http://" + strings.TrimSpace(v)
	}
	m := udataURL.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return fmt.Errorf("invalid URL %q", v)
	}
	g := func(name string) string { return m[udataURL.SubexpIndex(name)] }
	switch strings.ToLower(g("scheme")) {
	case "", "http", "https", "ftp", "ftps":
	default:
		return fmt.Errorf("scheme of %q", v)
	}
	if tld := strings.ToLower(g("tld")); tld != "" && !map[string]bool{"cn": true, "com": true, "org": true, "net": true, "gov": true, "fr": true}[tld] {
		return fmt.Errorf("TLD of %q", v)
	}
	if g("localhost") != "" || g("ipv4") != "" || g("ipv6") != "" {
		return fmt.Errorf("local or private URL %q", v)
	}
	return nil
}

// filters.py:42 to_date: dateutil.parser.parse(value).date(); the ISO
// forms CKAN emits.
func udataToDate(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("expected str, got %T", v)
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999", time.RFC3339Nano, "2006-01-02"} {
		if _, err := time.Parse(layout, s); err == nil {
			return nil
		}
	}
	return fmt.Errorf("not a date: %q", s)
}

// filters.py:10 boolean.
func udataBoolean(v any) error {
	switch x := v.(type) {
	case nil, bool, float64:
		return nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "", "on", "t", "true", "y", "yes", "1", "f", "false", "n", "no", "off", "0":
			return nil
		}
	}
	return fmt.Errorf("not a boolean: %v", v)
}

type udataErrs []string

func (e *udataErrs) add(path, format string, args ...any) {
	*e = append(*e, path+": "+fmt.Sprintf(format, args...))
}

// check runs one rule on a required key (Schema(required=True),
// schemas/ckan.py:80, applies to the nested dicts as well).
func (e *udataErrs) check(m map[string]any, path, key string, rule func(any) error) {
	v, ok := m[key]
	if !ok {
		e.add(path+"."+key, "required key not provided")
		return
	}
	if err := rule(v); err != nil {
		e.add(path+"."+key, "%v", err)
	}
}

func isStr(v any) error {
	if _, ok := v.(string); !ok {
		return fmt.Errorf("expected str, got %T", v)
	}
	return nil
}

func strOrNone(v any) error {
	if v == nil {
		return nil
	}
	return isStr(v)
}

func equals(want string) func(any) error {
	return func(v any) error {
		if v != want {
			return fmt.Errorf("not %q: %v", want, v)
		}
		return nil
	}
}

// all_(empty_none, Any(All(str, email), None)): schemas/ckan.py:76, filters.py:47.
func emailOrEmpty(v any) error {
	if v == nil || v == "" {
		return nil
	}
	if s, ok := v.(string); !ok || !strings.Contains(s, "@") {
		return fmt.Errorf("invalid email %v", v)
	}
	return nil
}

// udataValidate returns every violation of schemas/ckan.py's schema.
func udataValidate(pk map[string]any) udataErrs {
	var e udataErrs
	// schemas/ckan.py:55-80
	for _, k := range []string{"id", "name", "title"} {
		e.check(pk, "", k, isStr)
	}
	e.check(pk, "", "notes", strOrNone)
	e.check(pk, "", "license_id", strOrNone) // DefaultTo('not-specified'), str
	e.check(pk, "", "license_title", strOrNone)
	e.check(pk, "", "metadata_created", udataToDate)
	e.check(pk, "", "metadata_modified", udataToDate)
	e.check(pk, "", "private", udataBoolean)
	e.check(pk, "", "type", equals("dataset"))
	e.check(pk, "", "author", strOrNone)
	e.check(pk, "", "author_email", emailOrEmpty)
	e.check(pk, "", "maintainer", strOrNone)
	e.check(pk, "", "maintainer_email", emailOrEmpty)
	e.check(pk, "", "state", strOrNone)
	// :62 tags, :32-38 tag
	e.check(pk, "", "tags", func(v any) error {
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("expected list")
		}
		for i, x := range l {
			t, ok := x.(map[string]any)
			if !ok {
				return fmt.Errorf("tag %d: expected dict", i)
			}
			e.check(t, fmt.Sprintf(".tags[%d]", i), "id", isStr)
			e.check(t, fmt.Sprintf(".tags[%d]", i), "name", isStr)
			for k, rule := range map[string]func(any) error{"vocabulary_id": strOrNone, "display_name": isStr, "state": isStr} {
				if _, ok := t[k]; ok {
					e.check(t, fmt.Sprintf(".tags[%d]", i), k, rule)
				}
			}
		}
		return nil
	})
	// :66 organization, :40-53
	e.check(pk, "", "organization", func(v any) error {
		if v == nil {
			return nil
		}
		o, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("expected dict")
		}
		for _, k := range []string{"id", "description", "title", "name", "state", "image_url", "revision_id"} {
			e.check(o, ".organization", k, isStr)
		}
		e.check(o, ".organization", "created", udataToDate)
		e.check(o, ".organization", "revision_timestamp", udataToDate)
		e.check(o, ".organization", "is_organization", udataBoolean)
		e.check(o, ".organization", "type", equals("organization"))
		e.check(o, ".organization", "approval_status", equals("approved"))
		return nil
	})
	// :67 resources, :13-30 resource
	e.check(pk, "", "resources", func(v any) error {
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("expected list")
		}
		for i, x := range l {
			r, ok := x.(map[string]any)
			path := fmt.Sprintf(".resources[%d]", i)
			if !ok {
				return fmt.Errorf("resource %d: expected dict", i)
			}
			e.check(r, path, "id", isStr)
			e.check(r, path, "position", func(v any) error {
				if f, ok := v.(float64); !ok || f != float64(int64(f)) {
					return fmt.Errorf("expected int, got %v", v)
				}
				return nil
			})
			e.check(r, path, "name", strOrNone)
			e.check(r, path, "description", strOrNone)
			e.check(r, path, "format", isStr)
			e.check(r, path, "mimetype", strOrNone)
			e.check(r, path, "size", func(v any) error {
				switch v.(type) {
				case nil, float64:
					return nil
				}
				return fmt.Errorf("Coerce(int) of %v", v)
			})
			e.check(r, path, "hash", strOrNone)
			e.check(r, path, "created", udataToDate)
			e.check(r, path, "last_modified", func(v any) error {
				if v == nil {
					return nil
				}
				return udataToDate(v)
			})
			e.check(r, path, "url", func(v any) error {
				if err := isStr(v); err != nil {
					return err
				}
				return udataIsURL(v.(string))
			})
			e.check(r, path, "resource_type", func(v any) error {
				if v == nil || v == "" { // empty_none, DefaultTo('file')
					return nil
				}
				for _, t := range udataResourceTypes {
					if v == t {
						return nil
					}
				}
				return fmt.Errorf("not a resource type: %v", v)
			})
		}
		return nil
	})
	// :69 Optional('extras')
	if x, ok := pk["extras"]; ok {
		l, ok := x.([]any)
		if !ok {
			e.add(".extras", "expected list")
		}
		for i, kv := range l {
			m, ok := kv.(map[string]any)
			if !ok {
				e.add(fmt.Sprintf(".extras[%d]", i), "expected dict")
				continue
			}
			e.check(m, fmt.Sprintf(".extras[%d]", i), "key", isStr)
			e.check(m, fmt.Sprintf(".extras[%d]", i), "value", func(v any) error {
				if v == nil {
					return fmt.Errorf("None is not allowed")
				}
				return nil
			})
		}
	}
	return e
}

// udataGet is harvesters.py:59 get_action: GET with content-type JSON,
// the answer's media type must be application/json and success true.
func udataGet(t *testing.T, p *apptest.Portal, action string, q url.Values) any {
	t.Helper()
	path := "/api/3/action/" + action
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	r := p.Do(t, "GET", path, nil, map[string]string{"content-type": "application/json"})
	if r.Status >= 400 { // response.raise_for_status()
		t.Fatalf("%s: HTTP %d %s", action, r.Status, r.Body)
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		t.Fatalf("%s: Content-Type %q", action, r.Header.Get("Content-Type"))
	}
	var e envelope
	r.JSON(t, &e)
	if !e.Success {
		t.Fatalf("%s: success false: %v", action, e.Error)
	}
	return e.Result
}

// TestUDataHarvesterReplay replays uData's CKAN harvest of the portal and
// validates every package with its schema.
func TestUDataHarvesterReplay(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Env: map[string]string{"PORTAL_BASE_URL": "https://data.hlj.gov.cn"}})
			var public []string
			p.DB.Model(&catalog.Dataset{}).Where("status = ? AND open_type IN ?", catalog.StatusPublished, []string{"unconditional", "conditional"}).Order("id").Pluck("id", &public)

			// harvesters.py:121: no filters, package_list.
			names := udataGet(t, p, "package_list", nil).([]any)
			if len(names) != len(public) {
				t.Fatalf("package_list %d names, want %d", len(names), len(public))
			}
			harvested, skippedRes := 0, 0
			for _, n := range names {
				// harvesters.py:135 package_show(id=name), :148 validate.
				pk := udataGet(t, p, "package_show", url.Values{"id": {n.(string)}}).(map[string]any)
				if errs := udataValidate(pk); len(errs) > 0 {
					t.Fatalf("package %s fails uData's schema:\n%s", n, strings.Join(errs, "\n"))
				}
				res := pk["resources"].([]any)
				if len(res) == 0 { // :151 skipped
					t.Errorf("package %s has no resources: uData skips it", n)
				}
				for _, x := range res {
					r := x.(map[string]any)
					typ := r["resource_type"].(string)
					allowed := false
					for _, a := range udataAllowedTypes {
						allowed = allowed || a == typ
					}
					if _, err := uuid.Parse(r["id"].(string)); err != nil { // :252 UUID(res['id'])
						t.Errorf("resource id %v: uData cannot parse it", r["id"])
					}
					if mt, _ := r["mimetype"].(string); strings.Contains(mt, ";") {
						t.Errorf("mimetype with parameters: %q", mt)
					}
					if pk["open_type"] == "unconditional" {
						// Files: kept by :249, hash detected as sha256 (filters.py:112).
						if !allowed || len(r["hash"].(string)) != 64 || r["url_type"] != "upload" || !strings.HasPrefix(r["url"].(string), "https://data.hlj.gov.cn/api/v1/resources/") {
							t.Errorf("file resource %v", r)
						}
					} else {
						// The application page is documentation: uData keeps the
						// entry, not the page as a file.
						if typ != "documentation" || !strings.Contains(r["url"].(string), "/apply?dataset=") {
							t.Errorf("conditional resource %v", r)
						}
						skippedRes++
					}
					for _, k := range []string{"cache_url", "url_type", "mimetype_inner"} {
						if _, ok := r[k]; !ok {
							t.Errorf("resource without %s", k)
						}
					}
				}
				if _, err := uuid.Parse(pk["creator_user_id"].(string)); err != nil {
					t.Errorf("creator_user_id %v", pk["creator_user_id"])
				}
				harvested++
			}
			if harvested != len(public) || skippedRes == 0 {
				t.Errorf("harvested %d of %d, %d conditional resources", harvested, len(public), skippedRes)
			}

			// harvesters.py:103-119: with filters, package_search q="k:v AND -k:v", rows=1000.
			var d catalog.Dataset
			p.DB.Where("status = ? AND open_type = ?", catalog.StatusPublished, catalog.Unconditional).Order("id").First(&d)
			var inOrg int64
			p.DB.Model(&catalog.Dataset{}).Where("status = ? AND open_type IN ? AND department_id = ?", catalog.StatusPublished, []string{"unconditional", "conditional"}, d.DepartmentID).Count(&inOrg)
			res := udataGet(t, p, "package_search", url.Values{"q": {"organization:" + d.DepartmentID}, "rows": {"1000"}}).(map[string]any)
			if got := len(res["results"].([]any)); int64(got) != inOrg {
				t.Errorf("q=organization:%s: %d results, want %d", d.DepartmentID, got, inOrg)
			}
			for _, x := range res["results"].([]any) {
				if errs := udataValidate(x.(map[string]any)); len(errs) > 0 {
					t.Errorf("package_search result fails the schema: %v", errs)
				}
			}
			if len(d.Tags) > 0 {
				q := "organization:" + d.DepartmentID + " AND -tags:" + d.Tags[0]
				res := udataGet(t, p, "package_search", url.Values{"q": {q}, "rows": {"1000"}}).(map[string]any)
				for _, x := range res["results"].([]any) {
					for _, tg := range x.(map[string]any)["tags"].([]any) {
						if tg.(map[string]any)["name"] == d.Tags[0] {
							t.Errorf("q=%s returned a package tagged %s", q, d.Tags[0])
						}
					}
				}
			}

			// A resource id uData stored is the one resource_show and
			// datastore_search take.
			pk := udataGet(t, p, "package_show", url.Values{"id": {d.ID}}).(map[string]any)
			r0 := pk["resources"].([]any)[0].(map[string]any)
			var first catalog.Resource
			p.DB.Where("dataset_id = ?", d.ID).Order("position").First(&first)
			got := udataGet(t, p, "resource_show", url.Values{"id": {r0["id"].(string)}}).(map[string]any)
			if got["id"] != r0["id"] || got["portal_id"] != first.ID || r0["portal_id"] != first.ID {
				t.Errorf("resource_show by UUID: %v", got)
			}
			if st, e := call(t, p, "GET", "resource_show", "?id="+uuid.NewString(), nil); st != 404 || e.Error["__type"] != "Not Found Error" {
				t.Errorf("unknown UUID: %d %v", st, e.Error)
			}
			// uData reports a failed call as "<__type>: <message>" (harvesters.py:80-84).
			if st, e := call(t, p, "GET", "package_show", "?id=no-such-entry", nil); st != 404 || e.Error["__type"] != "Not Found Error" || e.Error["message"] == "" {
				t.Errorf("package_show unknown: %d %v", st, e.Error)
			}
		})
	}
}
