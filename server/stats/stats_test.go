package stats_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/stats"
)

const (
	dept     = "hlj-scjgj"
	open     = "ds-hlj-scjgj-001" // unconditional
	cond     = "ds-hlj-scjgj-002" // conditional
	reporter = "li.visitor@mail.hlj.gov.cn"
)

// TestDepartmentStatistics builds a March and an April of activity for one
// department through the real APIs and checks every column.
func TestDepartmentStatistics(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			clk := apptest.NewClock(apptest.CST("2026-03-02 10:00")) // Monday
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
			roles := apptest.NewRoles(p, clk.Now) // signs in again after the clock moved
			at := func(when string) { clk.Set(apptest.CST(when)) }
			post := func(role, path string, body any, want int) map[string]any {
				t.Helper()
				r := roles.PostJSON(t, role, path, body)
				if r.Status != want {
					t.Fatalf("POST %s as %s: %d %s", path, role, r.Status, r.Body)
				}
				return r.Map(t)
			}
			report := func(desc string) uint64 {
				t.Helper()
				m := post("", "/api/v1/corrections", map[string]any{"dataset_id": open, "description": desc, "contact": reporter}, http.StatusCreated)
				return uint64(m["id"].(float64))
			}
			answer := func(id uint64) {
				t.Helper()
				post("provider", fmt.Sprintf("/api/v1/corrections/%d/answer", id), map[string]any{"outcome": "corrected", "explanation": "已更正"}, http.StatusOK)
			}
			var items []string
			p.DB.Table("data_items").Where("dataset_id = ?", cond).Order("position").Limit(2).Pluck("name", &items)
			apply := func(role string) string {
				t.Helper()
				today := clk.Now().In(calendar.Zone)
				m := post(role, "/api/v1/applications", map[string]any{
					"dataset_id": cond, "purpose": "市场主体研究", "scenario": "统计分析", "basis": "数据使用协议", "data_items": items,
					"period_start": today.Format(time.DateOnly), "period_end": today.AddDate(0, 0, 60).Format(time.DateOnly),
					"security_measures": "加密存储，专人访问", "contact": "张三 0451-12345678"}, http.StatusCreated)
				return m["id"].(string)
			}

			// March: two reports (one answered after 2 working days, one late
			// after 8), one data request answered on time, two applications
			// (approved after 3 working days, rejected late after 10).
			c1, c2 := report("地址错误"), report("电话错误")
			app1, app2 := apply("citizen"), apply("organisation")
			req := post("citizen", "/api/v1/requests", map[string]any{"title": "年报数据", "description": "全省企业年报汇总", "intended_use": "研究", "department_id": dept}, http.StatusCreated)
			at("2026-03-03 10:00")
			post("provider", fmt.Sprintf("/api/v1/requests/%d/answer", uint64(req["id"].(float64))), map[string]any{"decision": "accept"}, http.StatusOK)
			at("2026-03-04 10:00")
			answer(c1)
			at("2026-03-05 10:00")
			post("provider", "/api/v1/applications/"+app1+"/decision", map[string]any{"decision": "approve", "data_items": items}, http.StatusOK)
			at("2026-03-12 10:00")
			answer(c2)
			at("2026-03-16 10:00")
			post("provider", "/api/v1/applications/"+app2+"/decision", map[string]any{"decision": "reject", "reason": "用途与开放条件不符"}, http.StatusOK)
			// April: one report, still open.
			at("2026-04-01 10:00")
			report("名称错误")

			// Freshness snapshot: every entry of the department current, one a
			// yearly entry last updated 400 days ago.
			now := clk.Now()
			p.DB.Table("datasets").Where("department_id = ?", dept).Updates(map[string]any{"updated_at": now.UTC(), "update_frequency": "monthly"})
			p.DB.Table("datasets").Where("id = ?", open).Updates(map[string]any{"updated_at": now.AddDate(0, 0, -400).UTC(), "update_frequency": "yearly"})
			var public int64
			p.DB.Table("datasets").Where("department_id = ? AND status = 'published' AND open_type IN ?", dept, []string{"unconditional", "conditional"}).Count(&public)

			r := p.Get(t, "/api/v1/stats/departments?from=2026-03&to=2026-04")
			if r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "public, max-age=60" {
				t.Fatalf("stats: %d %s", r.Status, r.Header.Get("Cache-Control"))
			}
			var rep stats.Report
			r.JSON(t, &rep)
			if !rep.ApplicationsAvailable || len(rep.Months) != 2 || rep.From != "2026-03" || rep.To != "2026-04" {
				t.Fatalf("report head: %+v", rep)
			}
			var d *stats.Department
			for i := range rep.Departments {
				if rep.Departments[i].ID == dept {
					d = &rep.Departments[i]
				}
			}
			if d == nil {
				t.Fatalf("no row for %s", dept)
			}
			mar, apr := d.Months[0], d.Months[1]
			f := func(x *float64) any {
				if x == nil {
					return nil
				}
				return *x
			}
			checks := []struct {
				name      string
				got, want any
			}{
				{"applications received", mar.ApplicationsReceived, 2},
				{"applications decided", mar.ApplicationsDecided, 2},
				{"applications on time", mar.ApplicationsOnTime, 1},
				{"applications median", f(mar.ApplicationsMedianDays), 6.5},
				{"approval rate", f(mar.ApplicationsApprovalRate), 0.5},
				{"corrections received", mar.CorrectionsReceived, 2},
				{"corrections answered", mar.CorrectionsAnswered, 2},
				{"corrections on time", mar.CorrectionsOnTime, 1},
				{"corrections median", f(mar.CorrectionsMedianDays), 5.0},
				{"requests received", mar.RequestsReceived, 1},
				{"requests answered", mar.RequestsAnswered, 1},
				{"requests on time", mar.RequestsOnTime, 1},
				{"april corrections", apr.CorrectionsReceived, 1},
				{"april answered", apr.CorrectionsAnswered, 0},
				{"april median", f(apr.CorrectionsMedianDays), nil},
				{"april applications", apr.ApplicationsReceived, 0},
				{"totals corrections", d.Totals.CorrectionsReceived, 3},
				{"totals median", f(d.Totals.CorrectionsMedianDays), 5.0},
				{"portal totals", rep.Totals.CorrectionsReceived, 3},
				{"datasets", d.Datasets, int(public)},
				{"overdue", d.DatasetsOverdue, 1},
			}
			for _, c := range checks {
				if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
					t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
				}
			}
			// One department only; defaults; bad parameters.
			var one stats.Report
			p.Get(t, "/api/v1/stats/departments?department="+dept+"&to=2026-04").JSON(t, &one)
			if len(one.Departments) != 1 || len(one.Months) != 6 || one.From != "2025-11" {
				t.Errorf("one department, default range: %d departments, months %v", len(one.Departments), one.Months)
			}
			var def stats.Report
			p.Get(t, "/api/v1/stats/departments").JSON(t, &def)
			if def.To != "2026-04" || len(def.Months) != 6 {
				t.Errorf("default range %s..%s", def.From, def.To)
			}
			for q, want := range map[string]int{"?from=2026-13": 400, "?from=2026-05&to=2026-03": 400, "?from=2024-01&to=2026-04": 400,
				"?department=nope": 404, "?sort=x": 400} {
				if r := p.Get(t, "/api/v1/stats/departments"+q); r.Status != want {
					t.Errorf("%s: %d, want %d", q, r.Status, want)
				}
			}
		})
	}
}
