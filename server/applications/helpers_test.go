package applications_test

import (
	"net/http"
	"strings"
	"sync"
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

// clock is the injected clock; tests move it, nothing sleeps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// cst parses "2006-01-02 15:04" as China time.
func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

// env is a portal on one engine with the demo roles and a movable clock.
type env struct {
	p     *apptest.Portal
	clk   *clock
	items []string // data item names of dataset, in order
	mu    sync.Mutex
	sess  map[string]*apptest.Session
	when  map[string]time.Time
}

func newEnv(t *testing.T, engine string, start time.Time) *env {
	t.Helper()
	clk := &clock{t: start}
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
	e := &env{p: p, clk: clk, sess: map[string]*apptest.Session{}, when: map[string]time.Time{}}
	p.DB.Table("data_items").Where("dataset_id = ?", dataset).Order("position").Pluck("name", &e.items)
	if len(e.items) < 4 {
		t.Fatalf("dataset %s has %d data items", dataset, len(e.items))
	}
	return e
}

// as returns a session of the demo role, signing in again after the clock
// moved (sessions expire on the injected clock too).
func (e *env) as(t *testing.T, role string) *apptest.Session {
	t.Helper()
	e.mu.Lock()
	s, at := e.sess[role], e.when[role]
	e.mu.Unlock()
	if s != nil && at.Equal(e.clk.Now()) {
		return s
	}
	s = e.p.SignInAs(t, role)
	e.mu.Lock()
	e.sess[role], e.when[role] = s, e.clk.Now()
	e.mu.Unlock()
	return s
}

func (e *env) get(t *testing.T, role, path string) *apptest.Response {
	t.Helper()
	var h map[string]string
	if role != "" {
		h = e.as(t, role).Header()
	}
	return e.p.Do(t, http.MethodGet, path, nil, h)
}

func (e *env) post(t *testing.T, role, path string, body any) *apptest.Response {
	t.Helper()
	var h map[string]string
	if role != "" {
		h = e.as(t, role).Header()
	}
	return e.p.PostJSON(t, path, body, h)
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
	r := e.post(t, role, "/api/v1/applications", e.form(mod))
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
	e.get(t, role, "/api/v1/me").JSON(t, &me)
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

func (e *env) count(t *testing.T, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.p.DB.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
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
	e.get(t, role, "/api/v1/me/notifications?limit=100").JSON(t, &box)
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
