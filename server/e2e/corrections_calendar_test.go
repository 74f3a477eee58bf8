package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// TestCorrectionProvisionalDue: a report whose deadline runs into 2028 (no
// official holiday calendar yet) shows its due date as provisional on the
// tracking page, as a plain fact; once the administrator uploads the
// official 2028 file the date moves, the mark goes and the history says why.
func TestCorrectionProvisionalDue(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2027-12-30 10:00"))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	r := p.PostJSON(t, "/api/v1/corrections", map[string]any{"dataset_id": "ds-hlj-scjgj-001",
		"description": "该企业的注册地址已变更，目录中仍为旧地址", "contact": "li.visitor@mail.hlj.gov.cn"}, nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("report: %d %s", r.Status, r.Body)
	}
	var c struct {
		TrackingCode string `json:"tracking_code"`
	}
	r.JSON(t, &c)
	b := newAccountsBrowser(t)
	b.Do(t, "track", chromedp.Navigate(p.URL+"/corrections/track#"+c.TrackingCode))
	waitFor(t, b, "the tracked report", `document.querySelector('[data-testid=report-view][data-status=open]')`)
	if due := textOf(t, b, `[data-testid=report-due]`); !strings.HasPrefix(due, "2028-01-07（暂定，以当年放假通知为准）") {
		t.Errorf("provisional due shown as %q", due)
	}
	check(t, b, "correction-track-provisional")

	// Test data standing in for the official notice: 元旦 01-01..04.
	var days []string
	for _, d := range [][2]string{{"01-01", "元旦"}, {"01-02", "元旦"}, {"01-03", "元旦"}, {"01-04", "元旦"},
		{"01-25", "春节"}, {"01-26", "春节"}, {"01-27", "春节"}, {"01-28", "春节"}, {"04-04", "清明节"},
		{"05-01", "劳动节"}, {"05-02", "劳动节"}, {"05-28", "端午节"}, {"10-01", "国庆节"}, {"10-02", "国庆节"}, {"10-03", "国庆节、中秋节"}} {
		j, _ := json.Marshal(map[string]string{"date": "2028-" + d[0], "name": d[1]})
		days = append(days, string(j))
	}
	file := json.RawMessage(`{"year": 2028, "source": "test data", "off": [` + strings.Join(days, ",") + `], "workdays": []}`)
	if r := apptest.NewRoles(p, clk.Now).Do(t, "admin", http.MethodPost, "/api/v1/admin/calendars/2028", file); r.Status != http.StatusOK {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	b.Do(t, "track again", chromedp.Reload())
	waitFor(t, b, "the new date", `/^2028-01-10/.test(document.querySelector('[data-testid=report-due]').textContent)`)
	if due := textOf(t, b, `[data-testid=report-due]`); strings.Contains(due, "暂定") {
		t.Errorf("official due still marked provisional: %q", due)
	}
	waitFor(t, b, "the history event", `!!document.querySelector('[data-testid=report-events] [data-kind=due_recomputed]')`)
	if ev := textOf(t, b, `[data-testid=report-events] [data-kind=due_recomputed]`); !strings.Contains(ev, "放假安排调整") {
		t.Errorf("history event %q", ev)
	}
	check(t, b, "correction-track-recomputed")
	noNull(t, b, "correction-track-recomputed")
}
