package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
)

// dir2028 is a stand-in official 2028 file (test data, not a notice): the
// statutory days, 元旦 extended to 01-01..01-04.
func dir2028() string {
	var days []string
	for _, d := range [][2]string{{"01-01", "元旦"}, {"01-02", "元旦"}, {"01-03", "元旦"}, {"01-04", "元旦"},
		{"01-25", "春节"}, {"01-26", "春节"}, {"01-27", "春节"}, {"01-28", "春节"}, {"04-04", "清明节"},
		{"05-01", "劳动节"}, {"05-02", "劳动节"}, {"05-28", "端午节"}, {"10-01", "国庆节"}, {"10-02", "国庆节"}, {"10-03", "国庆节、中秋节"}} {
		days = append(days, fmt.Sprintf(`{"date": "2028-%s", "name": %q}`, d[0], d[1]))
	}
	return `{"year": 2028, "source": "test data", "off": [` + strings.Join(days, ", ") + `], "workdays": []}`
}

// TestCalendarDirAtStartRecomputes: an official year file dropped into
// PORTAL_CALENDAR_DIR between two starts is noticed at the next start (its
// fingerprint differs from the stored one) and the open deadlines touching
// it are recomputed; a start without changes recomputes nothing.
func TestCalendarDirAtStartRecomputes(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			clk := apptest.NewClock(apptest.CST("2027-12-30 10:00"))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true, Env: map[string]string{"PORTAL_CALENDAR_DIR": dir}})
			r := p.PostJSON(t, "/api/v1/corrections", map[string]any{"dataset_id": "ds-hlj-scjgj-001",
				"description": "该企业的注册地址已变更", "contact": "wang.visitor@mail.hlj.gov.cn"}, nil)
			if r.Status != http.StatusCreated {
				t.Fatalf("report: %d %s", r.Status, r.Body)
			}
			var c struct {
				ID             uint64    `json:"id"`
				DueAt          time.Time `json:"due_at"`
				DueProvisional bool      `json:"due_provisional"`
			}
			r.JSON(t, &c)
			if !c.DueAt.Equal(apptest.DueOn("2028-01-07")) || !c.DueProvisional {
				t.Fatalf("provisional due %s %v", c.DueAt, c.DueProvisional)
			}
			// First start: fingerprints stored, nothing moves.
			if years, n, err := p.SyncCalendars(t.Context()); err != nil || n != 0 || len(years) == 0 {
				t.Fatalf("first sync: %v %d %v", years, n, err)
			}
			if years, n, err := p.SyncCalendars(t.Context()); err != nil || n != 0 || len(years) != 0 {
				t.Fatalf("second sync recomputed: %v %d %v", years, n, err)
			}
			if n := p.Count(t, "calendar_fingerprints", "year = ? AND fingerprint LIKE ?", 2028, "provisional:%"); n != 1 {
				t.Fatalf("2028 fingerprint rows %d", n)
			}
			// The operator adds 2028.json; the next start reads it.
			if err := os.WriteFile(filepath.Join(dir, "2028.json"), []byte(dir2028()), 0o644); err != nil {
				t.Fatal(err)
			}
			next := p.Replica(t)
			if next.Calendar.Provisional(2028) {
				t.Fatal("2028.json not loaded")
			}
			years, n, err := next.SyncCalendars(t.Context())
			if err != nil || n != 1 || len(years) != 1 || years[0] != 2028 {
				t.Fatalf("sync after the new file: years %v changed %d err %v", years, n, err)
			}
			var due time.Time
			next.DB.Table("corrections").Where("id = ?", c.ID).Pluck("due_at", &due)
			if !due.Equal(apptest.DueOn("2028-01-10")) {
				t.Errorf("due %s, want 2028-01-10", due)
			}
			if n := p.Count(t, "calendar_fingerprints", "year = ? AND fingerprint LIKE ?", 2028, "official:%"); n != 1 {
				t.Errorf("2028 fingerprint not updated")
			}
			// Started again with the same file: nothing to do.
			again := p.Replica(t)
			if years, n, err := again.SyncCalendars(t.Context()); err != nil || n != 0 || len(years) != 0 {
				t.Errorf("restart without changes: %v %d %v", years, n, err)
			}
			// /readyz no longer warns about 2028 on the new replica.
			var body struct {
				Warnings []string       `json:"warnings"`
				Checks   map[string]any `json:"checks"`
			}
			again.Get(t, "/readyz").JSON(t, &body)
			if strings.Contains(strings.Join(body.Warnings, "\n"), "2028") {
				t.Errorf("readyz still warns: %v", body.Warnings)
			}
		})
	}
}

// TestEveryProcedureRecomputes: applications, corrections, data requests,
// publishing reviews and fixes, and catalog change notices all follow a
// calendar change.
func TestEveryProcedureRecomputes(t *testing.T) {
	p := apptest.New(t, apptest.Options{NoWorkers: true})
	var got []string
	for _, r := range p.Recomputers() {
		got = append(got, fmt.Sprintf("%T", r))
	}
	want := []string{"*applications.Service", "*corrections.Service", "*requests.Service", "*publishing.Service", "*changes.Service"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("recomputers %v, want %v", got, want)
	}
}

// TestCalendarCLISeesUploads: `portal calendar` counts the years uploaded
// to the database too, and marks only the remaining provisional ones.
func TestCalendarCLISeesUploads(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2027-12-30 10:00"))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	if r := apptest.NewRoles(p, clk.Now).Do(t, "admin", http.MethodPost, "/api/v1/admin/calendars/2028", json.RawMessage(dir2028())); r.Status != http.StatusOK {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	cal, err := app.LoadCalendarForCLI(p.Config, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := calendar.RunCLI([]string{"due", "--from", "2027-12-30", "--days", "5"}, cal, &out, &errb); code != 0 || out.String() != "2028-01-10\n" {
		t.Errorf("due with the uploaded 2028: %d %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := calendar.RunCLI([]string{"due", "--from", "2028-12-29", "--days", "1"}, cal, &out, &errb); code != 0 || out.String() != "2029-01-02 (provisional)\n" {
		t.Errorf("due into 2029: %d %q", code, out.String())
	}
}
