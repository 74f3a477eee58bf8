package applications_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/calendar"
)

// The conditional dataset of the demo provider's department (hlj-scjgj,
// region 黑龙江省) and one of a department no demo role oversees.
const (
	dataset      = "ds-hlj-scjgj-002"
	otherDataset = "ds-hrb-scjgj-002"
	openDataset  = "ds-hlj-scjgj-001" // unconditional
)

// env is a portal on one engine with the demo roles and a movable clock.
type env struct {
	*apptest.Roles
	p     *apptest.Portal
	clk   *apptest.Clock
	items []string // data item names of dataset, in order
}

func newEnv(t *testing.T, engine string, start time.Time) *env {
	t.Helper()
	clk := apptest.NewClock(start)
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
	e := &env{Roles: apptest.NewRoles(p, clk.Now), p: p, clk: clk}
	p.DB.Table("data_items").Where("dataset_id = ?", dataset).Order("position").Pluck("name", &e.items)
	if len(e.items) < 4 {
		t.Fatalf("dataset %s has %d data items", dataset, len(e.items))
	}
	return e
}

// form is a valid application for dataset, its period from the clock's
// date for 90 days; mod changes it.
func (e *env) form(mod func(map[string]any)) map[string]any {
	today := e.clk.Now().In(calendar.Zone)
	f := map[string]any{
		"dataset_id": dataset, "purpose": "开展市场主体发展研究", "scenario": "区域经济统计分析",
		"basis": "与省市场监管局签订的数据使用协议", "data_items": []string{e.items[0], e.items[1], e.items[2], e.items[3]},
		"period_start": today.Format(time.DateOnly), "period_end": today.AddDate(0, 0, 90).Format(time.DateOnly),
		"security_measures": "数据加密存储，专人专机访问，使用后销毁", "contact": "张三 0451-12345678",
	}
	if mod != nil {
		mod(f)
	}
	return f
}

// apply submits as role and returns the decoded answer, failing unless 201.
func (e *env) apply(t *testing.T, role string, mod func(map[string]any)) appJSON {
	t.Helper()
	r := e.PostJSON(t, role, "/api/v1/applications", e.form(mod))
	if r.Status != http.StatusCreated {
		t.Fatalf("apply as %s: %d %s", role, r.Status, r.Body)
	}
	var a appJSON
	r.JSON(t, &a)
	return a
}

// principal is the authz principal of a demo role (for service calls).
func (e *env) principal(t *testing.T, role string) *authz.Principal {
	t.Helper()
	var me struct {
		ID uint64 `json:"id"`
	}
	e.Get(t, role, "/api/v1/me").JSON(t, &me)
	if me.ID == 0 {
		t.Fatalf("no id for %s", role)
	}
	return &authz.Principal{UserID: me.ID, Assignments: e.p.Policy.AssignmentsOf(me.ID)}
}

func (e *env) app(t *testing.T, id string) applications.Application {
	t.Helper()
	var a applications.Application
	if err := e.p.DB.Where("id = ?", id).Take(&a).Error; err != nil {
		t.Fatalf("load %s: %v", id, err)
	}
	return a
}

// appJSON is the part of ApplicationJSON the tests read.
type appJSON struct {
	ID              string     `json:"id"`
	Status          string     `json:"status"`
	DatasetID       string     `json:"dataset_id"`
	DataItems       []string   `json:"data_items"`
	DueAt           *time.Time `json:"due_at"`
	WorkingDaysLeft *int       `json:"working_days_left"`
	Overdue         bool       `json:"overdue"`
	DueProvisional  bool       `json:"due_provisional"`
	Late            bool       `json:"late"`
	LateAt          *time.Time `json:"late_at"`
	Round           int        `json:"round"`
	Missing         []string   `json:"missing"`
	Reason          string     `json:"reason"`
	GrantID         string     `json:"grant_id"`
	Actions         []string   `json:"actions"`
	EscalatedAt     *time.Time `json:"escalated_at"`
	Decision        *struct {
		Decision  string   `json:"decision"`
		Reason    string   `json:"reason"`
		DataItems []string `json:"data_items"`
		Late      bool     `json:"late"`
	} `json:"decision"`
	History []struct {
		Action string `json:"action"`
		Note   string `json:"note"`
	} `json:"history"`
}

type pageJSON[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
}

type grantJSON struct {
	ID            string    `json:"id"`
	DatasetID     string    `json:"dataset_id"`
	DataItems     []string  `json:"data_items"`
	PeriodEnd     string    `json:"period_end"`
	AccessUntil   time.Time `json:"access_until"`
	Status        string    `json:"status"`
	SuspendReason string    `json:"suspend_reason"`
	Actions       []string  `json:"actions"`
}

// dueDate is the China date and clock time of a due_at.
func dueDate(t *testing.T, due *time.Time) string {
	t.Helper()
	if due == nil {
		t.Fatal("due_at is null")
	}
	return due.In(calendar.Zone).Format("2006-01-02 15:04:05")
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// inbox returns the notice kinds of a role's inbox.
func (e *env) inbox(t *testing.T, role string) []string {
	t.Helper()
	var box struct {
		Items []struct {
			Kind  string `json:"kind"`
			Title string `json:"title"`
			Body  string `json:"body"`
		} `json:"items"`
	}
	e.Get(t, role, "/api/v1/me/notifications?limit=100").JSON(t, &box)
	out := []string{}
	for _, n := range box.Items {
		out = append(out, n.Kind)
	}
	return out
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func short(b []byte) string {
	s := string(b)
	if len(s) > 300 {
		return s[:300]
	}
	return strings.TrimSpace(s)
}
