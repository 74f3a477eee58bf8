package corrections_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/corrections"
)

// The demo provider's department (hlj-scjgj, region 黑龙江省, overseen by
// the demo authority) and a dataset of provider2's (hrb-jtysj).
const (
	dataset      = "ds-hlj-scjgj-001" // unconditional
	condDataset  = "ds-hlj-scjgj-002" // conditional: metadata public, reports allowed
	dept         = "hlj-scjgj"
	otherDept    = "hrb-jtysj"
	otherDataset = "ds-hrb-jtysj-001"
	visitorMail  = "li.visitor@mail.hlj.gov.cn"
	visitorPhone = "13912345678"
)

// env is a portal on one engine with the demo roles and a movable clock.
type env struct {
	*apptest.Roles
	p     *apptest.Portal
	clk   *apptest.Clock
	items []string // data item names of dataset
	res   []string // resource ids of dataset
}

func newEnv(t *testing.T, engine string, start time.Time, envVars map[string]string) *env {
	t.Helper()
	clk := apptest.NewClock(start)
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true, Env: envVars})
	e := &env{Roles: apptest.NewRoles(p, clk.Now), p: p, clk: clk}
	p.DB.Table("data_items").Where("dataset_id = ?", dataset).Order("position").Pluck("name", &e.items)
	p.DB.Table("resources").Where("dataset_id = ?", dataset).Order("position").Pluck("id", &e.res)
	if len(e.items) < 2 || len(e.res) < 1 {
		t.Fatalf("dataset %s has %d data items and %d resources", dataset, len(e.items), len(e.res))
	}
	return e
}

// report is a valid visitor report on dataset; mod changes it.
func (e *env) report(mod func(map[string]any)) map[string]any {
	r := map[string]any{
		"dataset_id": dataset, "resource_id": e.res[0], "data_item": e.items[1], "row_key": "91230100MA1XYZ0001",
		"description": "该企业的注册地址已变更，数据仍为旧地址", "proposed_value": "哈尔滨市南岗区学府路 1 号",
		"contact": map[string]any{"name": "李四", "email": visitorMail, "phone": visitorPhone},
	}
	if mod != nil {
		mod(r)
	}
	return r
}

// created is the answer to a new report.
type created struct {
	ID           uint64    `json:"id"`
	TrackingCode string    `json:"tracking_code"`
	DueAt        time.Time `json:"due_at"`
}

// file reports as role and fails unless 201.
func (e *env) file(t *testing.T, role string, body map[string]any) created {
	t.Helper()
	r := e.PostJSON(t, role, "/api/v1/corrections", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("report: %d %s", r.Status, r.Body)
	}
	var c created
	r.JSON(t, &c)
	return c
}

// view is the JSON of a report (the fields tests read).
type view struct {
	ID              uint64 `json:"id"`
	Status          string `json:"status"`
	DueAt           time.Time
	WorkingDaysLeft *int `json:"working_days_left"`
	Overdue         bool `json:"overdue"`
	Escalated       bool `json:"escalated"`
	Department      struct {
		ID string `json:"id"`
	} `json:"department"`
	Extension *struct {
		Status string `json:"status"`
		Days   int    `json:"days"`
	} `json:"extension"`
	Answer *struct {
		Outcome       string `json:"outcome"`
		Explanation   string `json:"explanation"`
		NewResourceID string `json:"new_resource_id"`
		OnTime        bool   `json:"on_time"`
	} `json:"answer"`
	Events []struct {
		Kind  string     `json:"kind"`
		DueAt *time.Time `json:"due_at"`
		Note  string     `json:"note"`
	} `json:"events"`
	Reporter *struct {
		Email string `json:"email"`
		Phone string `json:"phone"`
	} `json:"reporter"`
}

func (v *view) kinds() []string {
	out := []string{}
	for _, e := range v.Events {
		out = append(out, e.Kind)
	}
	return out
}

func decodeView(t *testing.T, r *apptest.Response) view {
	t.Helper()
	var v struct {
		view
		DueAt time.Time `json:"due_at"`
	}
	r.JSON(t, &v)
	v.view.DueAt = v.DueAt
	return v.view
}

// track follows a report by its code.
func (e *env) track(t *testing.T, code string) view {
	t.Helper()
	r := e.p.Get(t, "/api/v1/corrections/track/"+code)
	if r.Status != http.StatusOK {
		t.Fatalf("track: %d %s", r.Status, r.Body)
	}
	return decodeView(t, r)
}

// disputed reports the dataset's under_dispute and that of each data item.
func (e *env) disputed(t *testing.T, id string) (bool, map[string]bool) {
	t.Helper()
	r := e.p.Get(t, "/api/v1/datasets/"+id)
	if r.Status != http.StatusOK {
		t.Fatalf("dataset %s: %d %s", id, r.Status, r.Body)
	}
	var d struct {
		UnderDispute bool `json:"under_dispute"`
		DataItems    []struct {
			Name         string `json:"name"`
			UnderDispute bool   `json:"under_dispute"`
		} `json:"data_items"`
	}
	r.JSON(t, &d)
	items := map[string]bool{}
	for _, it := range d.DataItems {
		items[it.Name] = it.UnderDispute
	}
	return d.UnderDispute, items
}

// notices counts the notices of kind addressed to the demo role's account.
func (e *env) notices(t *testing.T, role, kind string) int64 {
	t.Helper()
	var id uint64
	if err := e.p.DB.Table("users").Where("email = ?", apptest.DemoEmail(role)).Pluck("id", &id).Error; err != nil {
		t.Fatal(err)
	}
	return e.p.Count(t, "notices", "user_id = ? AND kind = ?", id, kind)
}

// userNotices counts the notices of kind addressed to the account email.
func (e *env) userNotices(t *testing.T, email, kind string) int64 {
	t.Helper()
	var id uint64
	if err := e.p.DB.Table("users").Where("email = ?", email).Pluck("id", &id).Error; err != nil {
		t.Fatal(err)
	}
	return e.p.Count(t, "notices", "user_id = ? AND kind = ?", id, kind)
}

// head creates (through the admin API) the head of department dep
// (provider_head, 部门负责人) and returns its e-mail address (the
// password is apptest.DemoPassword).
func (e *env) head(t *testing.T, dep string) string {
	t.Helper()
	email := "head." + dep + "@demo.local"
	r := e.PostJSON(t, "admin", "/api/v1/admin/users", map[string]any{"email": email, "name": "部门负责人 " + dep,
		"password": apptest.DemoPassword, "roles": []string{"provider_head"}, "department_id": dep})
	if r.Status != http.StatusCreated {
		t.Fatalf("create the department head: %d %s", r.Status, r.Body)
	}
	return email
}

// pngBytes is a small valid PNG.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var _ = strings.Contains
var _ = corrections.CodeLen
