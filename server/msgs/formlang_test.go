package msgs_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
)

// form is an endpoint behind a form of the portal (frontend/pages), sent
// empty by the role that fills it in.
type form struct {
	page, role, method, path string
	kind                     string // "json" (default), "multipart", "raw"
	// emptyObjectOK: {} is a valid request (a PATCH changing nothing), so
	// only the empty body is an error.
	emptyObjectOK bool
}

// forms lists every state-changing endpoint a form submits: the pages
// under frontend/pages and what each posts. {id} values come from the
// fixtures made first.
var forms = []form{
	{page: "register", role: "", method: "POST", path: "/api/v1/auth/register"},
	{page: "login", role: "", method: "POST", path: "/api/v1/auth/login"},
	{page: "forgot-password", role: "", method: "POST", path: "/api/v1/auth/password-reset"},
	{page: "reset-password", role: "", method: "POST", path: "/api/v1/auth/password-reset/confirm"},
	{page: "verify-email", role: "", method: "POST", path: "/api/v1/auth/verify-email"},
	{page: "account", role: "citizen", method: "PATCH", path: "/api/v1/me", emptyObjectOK: true},
	{page: "account", role: "citizen", method: "POST", path: "/api/v1/me/password"},
	{page: "account-tokens", role: "citizen", method: "POST", path: "/api/v1/me/tokens"},
	{page: "account-apps", role: "citizen", method: "POST", path: "/api/v1/me/apps"},
	{page: "account-organisation", role: "organisation", method: "POST", path: "/api/v1/me/organisation/members"},
	{page: "apply", role: "citizen", method: "POST", path: "/api/v1/applications"},
	{page: "application", role: "provider", method: "POST", path: "/api/v1/applications/{app}/decision"},
	{page: "application", role: "citizen", method: "POST", path: "/api/v1/applications/{app}/resubmit"},
	{page: "application", role: "citizen", method: "PUT", path: "/api/v1/applications/{app}/commitment", kind: "raw"},
	{page: "grants-manage", role: "provider", method: "POST", path: "/api/v1/grants/{grant}/suspend"},
	{page: "correction-new", role: "", method: "POST", path: "/api/v1/corrections"},
	{page: "correction-new", role: "", method: "POST", path: "/api/v1/corrections/track/{code}/evidence", kind: "multipart"},
	{page: "console-corrections", role: "provider", method: "POST", path: "/api/v1/corrections/{corr}/answer"},
	{page: "console-corrections", role: "provider", method: "POST", path: "/api/v1/corrections/{corr}/extension"},
	{page: "console-corrections", role: "provider", method: "POST", path: "/api/v1/corrections/{corr}/evidence", kind: "multipart"},
	{page: "console-corrections", role: "authority", method: "POST", path: "/api/v1/corrections/{corr}/extension/decision"},
	{page: "request-new", role: "citizen", method: "POST", path: "/api/v1/requests"},
	{page: "console-requests", role: "authority", method: "POST", path: "/api/v1/requests/{req}/route"},
	{page: "console-requests", role: "provider", method: "POST", path: "/api/v1/requests/{routed}/answer"},
	{page: "console-requests", role: "provider", method: "POST", path: "/api/v1/requests/{routed}/fulfil"},
	{page: "revocations-request", role: "provider", method: "POST", path: "/api/v1/revocations"},
	{page: "revocations-review", role: "authority", method: "POST", path: "/api/v1/revocations/{rev}/decision"},
	{page: "announcement", role: "authority", method: "POST", path: "/api/v1/announcements/{ann}/corrections"},
	{page: "catalog-entry", role: "provider", method: "POST", path: "/api/v1/manage/datasets"},
	{page: "catalog-entry", role: "provider", method: "PATCH", path: "/api/v1/manage/datasets/{entry}", emptyObjectOK: true},
	{page: "catalog-entry", role: "provider", method: "POST", path: "/api/v1/manage/datasets/{entry}/resources", kind: "multipart"},
	{page: "catalog-entry", role: "provider", method: "POST", path: "/api/v1/manage/datasets/{entry}/propose-items", kind: "multipart"},
	{page: "catalog-entry", role: "provider", method: "POST", path: "/api/v1/manage/datasets/{entry}/submit"},
	{page: "review", role: "authority", method: "POST", path: "/api/v1/manage/datasets/{submitted}/review"},
	{page: "catalog-import", role: "provider", method: "POST", path: "/api/v1/manage/import", kind: "multipart"},
	{page: "console-changes", role: "authority", method: "POST", path: "/api/v1/catalog-changes"},
	{page: "console-changes", role: "provider", method: "POST", path: "/api/v1/catalog-changes/{change}/extension"},
	{page: "console-changes", role: "provider", method: "POST", path: "/api/v1/catalog-changes/{change}/entries/{changeEntry}/confirm"},
	{page: "console-changes", role: "authority", method: "POST", path: "/api/v1/catalog-changes/{change}/extension/decision"},
	{page: "admin-users", role: "admin", method: "POST", path: "/api/v1/admin/users"},
	{page: "admin-users", role: "admin", method: "PATCH", path: "/api/v1/admin/users/{user}", emptyObjectOK: true},
	{page: "admin-departments", role: "admin", method: "POST", path: "/api/v1/admin/departments"},
	{page: "admin-departments", role: "admin", method: "PATCH", path: "/api/v1/admin/departments/{dept}", emptyObjectOK: true},
	{page: "admin (calendar upload)", role: "admin", method: "POST", path: "/api/v1/admin/calendars/{year}", kind: "raw"},
}

// notForms are the state-changing routes no form fills in: buttons
// without input, and the CKAN action API (English, as CKAN clients expect).
var notForms = map[string]string{
	"PATCH /api/v1/me/apps/:id":              "account-apps edit form (body always has name)",
	"POST /api/v1/me/apps/:id/secret":        "button",
	"PATCH /api/v1/admin/apps/:id":           "admin-apps status/quota forms",
	"POST /mcp":                              "JSON-RPC endpoint for MCP clients, not a form",
	"POST /api/v1/mcp":                       "JSON-RPC endpoint for MCP clients, not a form",
	"POST /api/3/action/:action":             "CKAN API",
	"POST /api/action/:action":               "CKAN API",
	"POST /api/v1/auth/logout":               "button",
	"POST /api/v1/applications/:id/withdraw": "button",
	"POST /api/v1/grants/:id/reinstate":      "button",
	"POST /api/v1/filings/:id/acknowledge":   "button with an optional note: {} is a valid answer",
	"POST /api/v1/me/notifications/:id/read": "button",
	"POST /api/v1/me/notifications/read-all": "button",
	"POST /api/v1/me/verify-email":           "button (account page: send the verification mail again)",
	"POST /api/v1/requests/:id/support":      "button",
}

// latinAllowed are the Latin words a Chinese message may hold besides the
// names of the fields it is about: formats, standards and codes the
// reader types as they are.
var latinAllowed = map[string]bool{
	"CSV": true, "XLSX": true, "JSON": true, "PDF": true, "PNG": true, "JPEG": true, "GIF": true, "XML": true,
	"URL": true, "API": true, "CSRF": true, "UTF-8": true, "GB18030": true, "GB": true, "MB": true, "KB": true,
	"YYYY-MM-DD": true, "YYYY-MM": true, "multipart/form-data": true, "id": true, "file": true,
}

var (
	param     = regexp.MustCompile(`\{[A-Za-z]+\}|:[A-Za-z]+`) // a path parameter, {app} or :id
	latinWord = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_\-/.]*[A-Za-z0-9]|[A-Za-z]`)
	han       = regexp.MustCompile(`\p{Han}`)
)

type errorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// TestFormsAnswerInTheReadersLanguage submits every form empty (no body,
// and {}) in Chinese and in English: each answer is a 4xx whose message
// and field messages are all in the language asked for.
func TestFormsAnswerInTheReadersLanguage(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			clk := apptest.NewClock(apptest.CST("2026-09-15 10:00"))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
			roles := apptest.NewRoles(p, clk.Now)
			// Every state-changing route is a form here or listed in notForms.
			covered := map[string]bool{}
			for _, f := range forms {
				covered[f.method+" "+param.ReplaceAllString(f.path, ":x")] = true
			}
			for _, r := range p.Router.Routes() {
				if r.Method != "POST" && r.Method != "PATCH" && r.Method != "PUT" {
					continue
				}
				if _, ok := notForms[r.Method+" "+r.Path]; !ok && !covered[r.Method+" "+param.ReplaceAllString(r.Path, ":x")] {
					t.Errorf("%s %s: no form in this test and not listed in notForms", r.Method, r.Path)
				}
			}
			ids := fixtures(t, p, roles, clk.Now())
			for _, f := range forms {
				path := f.path
				for k, v := range ids {
					path = strings.ReplaceAll(path, "{"+k+"}", v)
				}
				if strings.Contains(path, "{") {
					t.Fatalf("%s: no fixture for %s", f.page, path)
				}
				bodies := []string{""}
				if f.kind == "" && !f.emptyObjectOK {
					bodies = append(bodies, "{}")
				}
				for _, body := range bodies {
					for _, lang := range []string{"zh-CN", "en"} {
						name := fmt.Sprintf("%s %s %s body=%q %s", f.page, f.method, f.path, body, lang)
						h := roles.As(t, f.role).Header("Accept-Language", lang)
						switch f.kind {
						case "", "raw":
							h["Content-Type"] = "application/json"
						case "multipart":
							h["Content-Type"] = "multipart/form-data; boundary=x"
						}
						r := p.Do(t, f.method, path, strings.NewReader(body), h)
						checkAnswer(t, name, r, lang)
					}
				}
			}
		})
	}
}

// checkAnswer asserts a 4xx in lang.
func checkAnswer(t *testing.T, name string, r *apptest.Response, lang string) errorBody {
	t.Helper()
	var b errorBody
	if r.Status < 400 || r.Status >= 500 {
		t.Errorf("%s: status %d, want 4xx: %s", name, r.Status, r.Body)
		return b
	}
	if err := json.Unmarshal(r.Body, &b); err != nil || b.Error.Message == "" {
		t.Errorf("%s: no error body: %s", name, r.Body)
		return b
	}
	want := map[string]string{"zh-CN": "zh-CN", "en": "en"}[lang]
	if got := r.Header.Get("Content-Language"); got != want {
		t.Errorf("%s: Content-Language %q, want %q", name, got, want)
	}
	t.Logf("%s: %d %s %v", name, r.Status, b.Error.Message, b.Error.Fields)
	texts := []string{b.Error.Message}
	for _, v := range b.Error.Fields {
		texts = append(texts, v)
	}
	for _, s := range texts {
		if lang == "en" {
			if han.MatchString(s) {
				t.Errorf("%s: Chinese in an English answer: %q", name, s)
			}
			continue
		}
		if !han.MatchString(s) {
			t.Errorf("%s: not Chinese: %q", name, s)
		}
		for _, w := range latinWord.FindAllString(s, -1) {
			if !latinAllowed[w] && !isFieldName(w, b.Error.Fields) {
				t.Errorf("%s: English word %q in a Chinese answer: %q", name, w, s)
			}
		}
	}
	return b
}

// isFieldName reports whether w names one of the fields of the answer (a
// parameter name such as page_size stays as it is).
func isFieldName(w string, fields map[string]string) bool {
	for k := range fields {
		if w == k || strings.HasPrefix(k, w+"[") || strings.HasPrefix(k, w+".") {
			return true
		}
	}
	return false
}

// TestExplicitLanguageWins: ?lang= and the lang cookie (the reader's own
// choice) beat Accept-Language, for anonymous and signed-in readers.
func TestExplicitLanguageWins(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	s := p.SignInAs(t, "citizen")
	cases := []struct {
		name, path, cookie, accept, want string
	}{
		{"?lang=en beats Accept-Language zh", "/api/v1/applications?lang=en", "", "zh-CN,zh;q=0.9", "en"},
		{"?lang=zh beats Accept-Language en", "/api/v1/applications?lang=zh", "", "en-US,en;q=0.9", "zh-CN"},
		{"cookie en beats Accept-Language zh", "/api/v1/applications", "lang=en", "zh-CN", "en"},
		{"cookie zh beats Accept-Language en", "/api/v1/applications", "lang=zh", "en", "zh-CN"},
		{"?lang= beats the cookie", "/api/v1/applications?lang=zh", "lang=en", "en", "zh-CN"},
		{"Accept-Language alone", "/api/v1/applications", "", "en", "en"},
		{"nothing: Chinese", "/api/v1/applications", "", "", "zh-CN"},
	}
	for _, c := range cases {
		for _, who := range []string{"anonymous", "citizen"} {
			h := map[string]string{"Content-Type": "application/json"}
			if who == "citizen" {
				h = s.Header("Content-Type", "application/json")
			}
			if c.accept != "" {
				h["Accept-Language"] = c.accept
			}
			if c.cookie != "" {
				if h["Cookie"] != "" {
					h["Cookie"] += "; " + c.cookie
				} else {
					h["Cookie"] = c.cookie
				}
			}
			r := p.Do(t, http.MethodPost, c.path, strings.NewReader("{}"), h)
			checkAnswer(t, c.name+" ("+who+")", r, c.want)
		}
	}
}

// fixtures makes one object of each kind the forms act on, in the state
// where its form is offered, and returns their ids by placeholder.
func fixtures(t *testing.T, p *apptest.Portal, roles *apptest.Roles, now time.Time) map[string]string {
	t.Helper()
	const (
		dept        = "hlj-scjgj"        // the demo provider's department
		openDS      = "ds-hlj-scjgj-001" // unconditional
		conditional = "ds-hlj-scjgj-002"
	)
	ids := map[string]string{"dept": dept, "year": "2027"}
	must := func(r *apptest.Response, status int, what string) map[string]any {
		t.Helper()
		if r.Status != status {
			t.Fatalf("fixture %s: %d %s", what, r.Status, r.Body)
		}
		if len(r.Body) == 0 {
			return nil
		}
		return r.Map(t)
	}
	str := func(m map[string]any, k string) string {
		switch v := m[k].(type) {
		case string:
			return v
		case float64:
			return fmt.Sprint(int64(v))
		}
		t.Fatalf("fixture: no %s in %v", k, m)
		return ""
	}
	var items, resources []string
	p.DB.Table("data_items").Where("dataset_id = ?", conditional).Order("position").Pluck("name", &items)
	p.DB.Table("resources").Where("dataset_id = ?", openDS).Order("id").Pluck("id", &resources)
	if len(items) < 2 || len(resources) == 0 {
		t.Fatalf("fixture: dataset %s has %d items, %s has %d resources", conditional, len(items), openDS, len(resources))
	}
	today := now.In(calendar.Zone)
	application := map[string]any{
		"dataset_id": conditional, "purpose": "开展市场主体发展研究", "scenario": "区域经济统计分析",
		"basis": "与省市场监管局签订的数据使用协议", "data_items": items[:2],
		"period_start": today.Format(time.DateOnly), "period_end": today.AddDate(0, 0, 90).Format(time.DateOnly),
		"security_measures": "数据加密存储，专人专机访问，使用后销毁", "contact": "张三 0451-12345678",
	}
	ids["app"] = str(must(roles.PostJSON(t, "citizen", "/api/v1/applications", application), 201, "application"), "id")
	granted := str(must(roles.PostJSON(t, "organisation", "/api/v1/applications", application), 201, "second application"), "id")
	must(roles.PostJSON(t, "provider", "/api/v1/applications/"+granted+"/decision", map[string]any{"decision": "approve"}), 200, "approval")
	var grants []string
	p.DB.Table("grants").Where("application_id = ?", granted).Pluck("id", &grants)
	if len(grants) != 1 {
		t.Fatalf("fixture: %d grants for %s", len(grants), granted)
	}
	ids["grant"] = grants[0]

	report := must(roles.PostJSON(t, "", "/api/v1/corrections", map[string]any{
		"dataset_id": openDS, "resource_id": resources[0], "description": "该企业的注册地址已变更，数据仍为旧地址",
		"contact": map[string]any{"name": "李四", "email": "li.visitor@mail.hlj.gov.cn"},
	}), 201, "correction")
	ids["corr"], ids["code"] = str(report, "id"), str(report, "tracking_code")

	request := map[string]any{"title": "市场主体年报汇总数据", "description": "全省市场主体年报公示信息，按季度汇总，含行业分类与注册资本区间",
		"intended_use": "企业信用研究与营商环境评估", "suggested_department_id": dept}
	ids["req"] = str(must(roles.PostJSON(t, "citizen", "/api/v1/requests", request), 201, "request"), "id")
	request["title"] = "食品经营许可汇总数据"
	routed := str(must(roles.PostJSON(t, "organisation", "/api/v1/requests", request), 201, "second request"), "id")
	must(roles.PostJSON(t, "authority", "/api/v1/requests/"+routed+"/route", map[string]any{"department_id": dept}), 200, "routing")
	ids["routed"] = routed

	// One revocation waits for the authority (conditional data: nothing
	// changes before approval); another is approved, for its announcement.
	revoke := map[string]any{"dataset_id": conditional, "reason": "数据已由新的数据集替代", "legal_basis": "《黑龙江省政务数据管理暂行办法》第三十五条",
		"effective_date": today.AddDate(0, 0, 30).Format(time.DateOnly)}
	ids["rev"] = str(must(roles.PostJSON(t, "provider", "/api/v1/revocations", revoke), 201, "revocation"), "id")
	revoke["dataset_id"] = openDS
	approved := str(must(roles.PostJSON(t, "provider", "/api/v1/revocations", revoke), 201, "second revocation"), "id")
	decided := must(roles.PostJSON(t, "authority", "/api/v1/revocations/"+approved+"/decision", map[string]any{"decision": "approve"}), 200, "revocation approval")
	ann, _ := decided["announcement"].(map[string]any)
	if ann == nil {
		t.Fatalf("fixture: approval without an announcement: %v", decided)
	}
	ids["ann"] = str(ann, "id")

	entry := must(roles.PostJSON(t, "provider", "/api/v1/manage/datasets", map[string]any{
		"title": "食品小作坊登记信息（测试）", "description": "全省登记的食品小作坊。", "topic": map[string]any{"id": "credit"},
		"open_type": "unconditional", "update_frequency": "monthly", "classification": "基础数据", "grade": "L1",
		"share_type": "unconditional", "share_method": "api", "formats": []string{"CSV"},
		"data_items": []map[string]any{{"name": "reg_no", "label": "登记证号", "type": "string", "required": true}},
	}), 201, "catalog entry")
	ids["entry"] = str(entry, "id")
	ids["submitted"] = ids["entry"] // not submitted: the review form answers 409

	change := must(roles.PostJSON(t, "authority", "/api/v1/catalog-changes", map[string]any{"department_id": dept, "reason": "职责调整",
		"changed_on": today.Format(time.DateOnly), "all_entries": true}), 201, "catalog change")
	ids["change"] = str(change, "id")
	entries, _ := change["entries"].([]any)
	if len(entries) == 0 {
		t.Fatalf("fixture: change without entries: %v", change)
	}
	ids["changeEntry"] = str(entries[0].(map[string]any), "dataset_id")

	var users []string
	p.DB.Table("users").Where("email = ?", apptest.DemoEmail("citizen")).Pluck("id", &users)
	if len(users) != 1 {
		t.Fatal("fixture: no citizen")
	}
	ids["user"] = users[0]
	return ids
}
