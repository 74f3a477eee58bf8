package publishing_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
)

// monday10 is Monday 2026-11-23 10:00 China time: a working day.
var monday10 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

type env struct {
	t     *testing.T
	p     *apptest.Portal
	clk   *apptest.Clock
	roles *apptest.Roles
}

func newEnv(t *testing.T, engine string, extra map[string]string) *env {
	t.Helper()
	clk := apptest.NewClock(monday10)
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true, Env: extra})
	return &env{t: t, p: p, clk: clk, roles: apptest.NewRoles(p, clk.Now)}
}

// advance moves the clock; sessions idle that long have ended, so every
// role signs in again (Roles does once the clock moved).
func (e *env) advance(d time.Duration) { e.clk.Advance(d) }

// The tests read the server's messages in English (Accept-Language: en).
func (e *env) do(role, method, path string, body any) *apptest.Response {
	e.t.Helper()
	h := e.roles.As(e.t, role).Header("Accept-Language", "en")
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
		h["Content-Type"] = "application/json"
	}
	return e.p.Do(e.t, method, path, rd, h)
}

// upload posts a multipart file.
func (e *env) upload(role, path, name string, content []byte) *apptest.Response {
	e.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		e.t.Fatal(err)
	}
	part.Write(content)
	w.Close()
	return e.p.Do(e.t, http.MethodPost, path, &b, e.roles.As(e.t, role).Header("Content-Type", w.FormDataContentType(), "Accept-Language", "en"))
}

func (e *env) must(r *apptest.Response, status int, what string) map[string]any {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("%s: %d, want %d: %s", what, r.Status, status, r.Body)
	}
	if len(r.Body) == 0 || r.Header.Get("Content-Type") == "" || !strings.Contains(r.Header.Get("Content-Type"), "json") {
		return nil
	}
	return r.Map(e.t)
}

// fields returns error.fields of an error body.
func fields(t *testing.T, r *apptest.Response) map[string]string {
	t.Helper()
	var b struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.JSON(t, &b)
	return b.Error.Fields
}

func (e *env) count(table string, where string, args ...any) int64 {
	e.t.Helper()
	return e.p.Count(e.t, table, where, args...)
}

// files counts stored objects and leftover temporary files.
func (e *env) files() (stored, temp int) {
	root := e.p.Config.DataDir
	filepath.Walk(filepath.Join(root, "files", "sha256"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			stored++
		}
		return nil
	})
	// Uploads spool under <data>/spool/p-<process>/ beside a .lock file.
	for _, dir := range []string{filepath.Join(root, "spool"), filepath.Join(root, "tmp"), filepath.Join(root, "files", "tmp")} {
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() && info.Name() != ".lock" {
				temp++
			}
			return nil
		})
	}
	return
}

// drain applies pending outbox events (search index) with the test clock.
func (e *env) drain() {
	e.t.Helper()
	for {
		n, err := e.p.Outbox.Drain(e.t.Context())
		if err != nil {
			e.t.Fatalf("outbox: %v", err)
		}
		if n == 0 {
			return
		}
	}
}

// draft is a complete valid entry.
func draft(title string) map[string]any {
	return map[string]any{
		"title":            title,
		"description":      "全省登记的企业基本信息。",
		"topic":            map[string]any{"id": "credit"},
		"open_type":        "conditional",
		"open_conditions":  "申请人须说明用途并签署数据安全承诺书。",
		"usage_scope":      "仅限科研用途。",
		"update_frequency": "monthly",
		"classification":   "基础数据",
		"grade":            "L2",
		"tags":             []string{"企业", "登记"},
		"share_type":       "conditional",
		"share_conditions": "仅限履行市场监管职责使用。",
		"share_method":     "api",
		"resource_code":    "113001/000101",
		"formats":          []string{"CSV"},
		"data_items": []map[string]any{
			{"name": "reg_no", "label": "注册号", "type": "string", "required": true},
			{"name": "name", "label": "企业名称", "type": "string", "required": true},
			{"name": "capital", "label": "注册资本", "type": "number"},
			{"name": "staff", "label": "从业人数", "type": "integer"},
			{"name": "reg_date", "label": "成立日期", "type": "date"},
		},
	}
}

const goodCSV = "reg_no,name,capital,staff,reg_date\n91230100MA1,哈尔滨冰城科技有限公司,100.5,12,2020-01-02\n91230100MA2,大庆油田服务有限公司,2000,340,2019-07-30\n"

func id(m map[string]any) string { return fmt.Sprint(m["id"]) }
