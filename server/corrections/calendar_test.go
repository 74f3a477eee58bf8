package corrections_test

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
	"github.com/hlj-opendata/portal/server/corrections"
)

// official2028 extends 元旦 to 01-01..01-04: one more day off than the
// provisional calendar, whose 元旦 is 01-01 (Saturday) with 补假 on Monday 01-03.
func official2028() json.RawMessage {
	return apptest.Official2028(calendar.Day{Date: "2028-01-02", Name: "元旦"}, calendar.Day{Date: "2028-01-03", Name: "元旦"}, calendar.Day{Date: "2028-01-04", Name: "元旦"})
}

type provView struct {
	DueAt          time.Time `json:"due_at"`
	DueProvisional *bool     `json:"due_provisional"`
	Events         []struct {
		Kind           string     `json:"kind"`
		DueAt          *time.Time `json:"due_at"`
		DueProvisional *bool      `json:"due_provisional"`
	} `json:"events"`
}

// TestDueRecomputedWhenOfficial2028Arrives: a report whose deadline runs
// into 2028 (provisional) shows due_provisional; when an administrator
// uploads the official 2028 file with an extra holiday, the due date is
// recomputed on it once (two replicas), and the reporter is told: inbox
// and public history event (e-mailed to the contact where mail is on),
// plus an audit entry.
func TestDueRecomputedWhenOfficial2028Arrives(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			// Thursday 2027-12-30; Heilongjiang profile: 5 working days.
			e := newEnv(t, engine, apptest.CST("2027-12-30 10:00"), nil)
			r := e.PostJSON(t, "citizen", "/api/v1/corrections", e.report(nil))
			if r.Status != http.StatusCreated {
				t.Fatalf("report: %d %s", r.Status, r.Body)
			}
			var c struct {
				ID             uint64    `json:"id"`
				TrackingCode   string    `json:"tracking_code"`
				DueAt          time.Time `json:"due_at"`
				DueProvisional *bool     `json:"due_provisional"`
			}
			r.JSON(t, &c)
			// Provisional 2028: 12-31 (1), 01-01/02 weekend, 01-03 补假,
			// 01-04 (2), 01-05 (3), 01-06 (4), 01-07 (5).
			if !c.DueAt.Equal(apptest.DueOn("2028-01-07")) || c.DueProvisional == nil || !*c.DueProvisional {
				t.Fatalf("created: due %s provisional %v", c.DueAt, c.DueProvisional)
			}
			var v provView
			e.p.Get(t, "/api/v1/corrections/track/"+c.TrackingCode).JSON(t, &v)
			if v.DueProvisional == nil || !*v.DueProvisional || len(v.Events) == 0 || v.Events[0].DueProvisional == nil || !*v.Events[0].DueProvisional {
				t.Errorf("tracking page: due_provisional %v, events %+v", v.DueProvisional, v.Events)
			}
			// A second replica on the same database, still provisional.
			other := e.p.Replica(t)
			if !other.Calendar.Provisional(2028) {
				t.Fatal("replica should start with a provisional 2028")
			}

			r = e.Do(t, "admin", http.MethodPost, "/api/v1/admin/calendars/2028", official2028())
			if r.Status != http.StatusOK {
				t.Fatalf("upload: %d %s", r.Status, r.Body)
			}
			var up struct {
				Year        int      `json:"year"`
				Provisional bool     `json:"provisional"`
				DaysOff     []string `json:"days_off"`
				Recomputed  int      `json:"recomputed"`
			}
			r.JSON(t, &up)
			if up.Year != 2028 || up.Provisional || up.Recomputed != 1 || len(up.DaysOff) != 15 {
				t.Errorf("upload answer %s", r.Body)
			}
			// Official 2028: 12-31 (1), 01-01..04 off, 01-05 (2), 01-06 (3),
			// 01-07 (4), 01-10 (5).
			e.p.Get(t, "/api/v1/corrections/track/"+c.TrackingCode).JSON(t, &v)
			if !v.DueAt.Equal(apptest.DueOn("2028-01-10")) || v.DueProvisional == nil || *v.DueProvisional {
				t.Errorf("after the upload: due %s provisional %v", v.DueAt, v.DueProvisional)
			}
			last := v.Events[len(v.Events)-1]
			if last.Kind != corrections.EventDueRecomputed || last.DueAt == nil || !last.DueAt.Equal(apptest.DueOn("2028-01-10")) {
				t.Errorf("history %+v lacks the recomputation", v.Events)
			}
			var round int
			e.p.DB.Table("corrections").Where("id = ?", c.ID).Pluck("round", &round)
			if round != 2 {
				t.Errorf("round %d, want 2 (reminders chase the new date)", round)
			}
			if n := e.notices(t, "citizen", "correction.due_recomputed"); n != 1 {
				t.Errorf("reporter notified %d times", n)
			}
			if n := e.notices(t, "provider", "correction.due_recomputed"); n != 1 {
				t.Errorf("department notified %d times", n)
			}
			if n := e.p.Count(t, "audit_entries", "action = ? AND object_id = ?", "correction.due_recomputed", fmt.Sprint(c.ID)); n != 1 {
				t.Errorf("audit entries %d", n)
			}
			if n := e.p.Count(t, "audit_entries", "action = ? AND object_id = ?", "calendar.uploaded", "2028"); n != 1 {
				t.Errorf("upload audit entries %d", n)
			}

			// The other replica picks the upload up on its next sync and
			// recomputes nothing twice.
			years, n, err := other.SyncCalendars(t.Context())
			if err != nil || n != 0 || other.Calendar.Provisional(2028) {
				t.Errorf("replica sync: years %v changed %d err %v provisional %v", years, n, err, other.Calendar.Provisional(2028))
			}
			if got := other.Calendar.AddWorkingDays(apptest.CST("2027-12-30 10:00"), 5); !got.Equal(apptest.DueOn("2028-01-10")) {
				t.Errorf("replica calendar: %s", got)
			}
			// The same file again changes nothing.
			r = e.Do(t, "admin", http.MethodPost, "/api/v1/admin/calendars/2028", official2028())
			r.JSON(t, &up)
			if r.Status != http.StatusOK || up.Recomputed != 0 || e.notices(t, "citizen", "correction.due_recomputed") != 1 {
				t.Errorf("second upload: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestRecomputeOnceAcrossReplicas: both replicas recompute at the same
// time (the file arrived through PORTAL_CALENDAR_DIR on both); the guarded
// update lets one of them move the date and notify.
func TestRecomputeOnceAcrossReplicas(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST("2027-12-30 10:00"), nil)
			c := e.file(t, "citizen", e.report(nil))
			other := e.p.Replica(t)
			ps := []*apptest.Portal{e.p, other}
			for _, p := range ps {
				if _, err := p.Calendar.SetYear(2028, official2028(), "test dir"); err != nil {
					t.Fatal(err)
				}
			}
			var total [2]int
			apptest.OnEach([]int{0, 1}, func(i int) {
				n, err := ps[i].Corrections.RecomputeDeadlines(t.Context(), []int{2028})
				if err != nil {
					t.Error(err)
				}
				total[i] = n
			})
			if total[0]+total[1] != 1 {
				t.Errorf("changed %v, want 1 in all", total)
			}
			if n := e.notices(t, "citizen", "correction.due_recomputed"); n != 1 {
				t.Errorf("reporter notified %d times", n)
			}
			if n := e.p.Count(t, "correction_events", "correction_id = ? AND kind = ?", c.ID, corrections.EventDueRecomputed); n != 1 {
				t.Errorf("history events %d", n)
			}
			if v := e.track(t, c.TrackingCode); !v.DueAt.Equal(apptest.DueOn("2028-01-10")) {
				t.Errorf("due %s", v.DueAt)
			}
		})
	}
}

// TestCalendarUploadRefusesBadFiles: 400 with a message in the reader's
// language (Chinese by default, English with ?lang=en), and nothing
// stored or changed.
func TestCalendarUploadRefusesBadFiles(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2027-12-30 10:00"), nil)
	good := string(official2028())
	cases := []struct {
		name, path, body, want, wantZH string
	}{
		{"year mismatch", "/api/v1/admin/calendars/2029", good, `"year" is 2028, want 2029`, "文件中的年份 2028 与文件名中的年份 2029 不一致"},
		{"date outside the year", "/api/v1/admin/calendars/2028", strings.Replace(good, `"2028-01-04"`, `"2029-01-04"`, 1), "date outside 2028", "日期不在 2028 年内"},
		{"off and working", "/api/v1/admin/calendars/2028", strings.Replace(good, `"workdays": []`, `"workdays": [{"date": "2028-01-01", "name": "元旦"}]`, 1), "both a day off and a make-up working day", "同一天既是放假日又是调休上班日"},
		{"not covering the year", "/api/v1/admin/calendars/2028", `{"year": 2028, "source": "x", "off": [{"date": "2028-01-01", "name": "元旦"}], "workdays": []}`, "does not cover the whole year", "日历文件未覆盖全年"},
		{"not JSON", "/api/v1/admin/calendars/2028", `"hello"`, "invalid calendar file", "日历文件无效"},
		{"not a year", "/api/v1/admin/calendars/20x8", good, "the year must be four digits", "年份应为"},
		{"year out of range", "/api/v1/admin/calendars/1999", good, "from 2000 to 2100", "2000 至 2100"},
	}
	han := regexp.MustCompile(`\p{Han}`)
	latin := regexp.MustCompile(`[a-z]{3,}`)
	for _, c := range cases {
		for _, en := range []bool{false, true} {
			path := c.path
			if en {
				path += "?lang=en"
			}
			r := e.Do(t, "admin", http.MethodPost, path, json.RawMessage(c.body))
			var body struct {
				Error struct{ Message string } `json:"error"`
			}
			r.JSON(t, &body)
			msg := body.Error.Message
			ok := strings.Contains(msg, c.wantZH) && !latin.MatchString(msg)
			if en {
				ok = strings.Contains(msg, c.want) && !han.MatchString(msg)
			}
			if r.Status != http.StatusBadRequest || !ok {
				t.Errorf("%s (English %v): %d %s", c.name, en, r.Status, r.Body)
			}
		}
	}
	big := `{"year": 2028, "source": "` + strings.Repeat("x", 40<<10) + `", "off": [], "workdays": []}`
	if r := e.Do(t, "admin", http.MethodPost, "/api/v1/admin/calendars/2028", json.RawMessage(big)); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d %s", r.Status, r.Body)
	}
	if r := e.Do(t, "provider", http.MethodPost, "/api/v1/admin/calendars/2028", official2028()); r.Status != http.StatusForbidden {
		t.Errorf("provider upload: %d", r.Status)
	}
	if n := e.p.Count(t, "calendar_uploads", ""); n != 0 || !e.p.Calendar.Provisional(2028) {
		t.Errorf("a refused upload changed something: %d rows", n)
	}
	// The public calendar answers for 2028 (provisional) and refuses non-years.
	var cal struct {
		Year            int      `json:"year"`
		Provisional     bool     `json:"provisional"`
		DaysOff         []string `json:"days_off"`
		WorkingWeekends []string `json:"working_weekends"`
	}
	e.p.Get(t, "/api/v1/calendar/2028").JSON(t, &cal)
	if cal.Year != 2028 || !cal.Provisional || len(cal.DaysOff) != 15 || cal.DaysOff[1] != "2028-01-03" || cal.WorkingWeekends == nil || len(cal.WorkingWeekends) != 0 {
		t.Errorf("GET /calendar/2028: %+v", cal)
	}
	e.p.Get(t, "/api/v1/calendar/2027").JSON(t, &cal)
	if cal.Provisional || len(cal.DaysOff) != 29 || len(cal.WorkingWeekends) != 5 {
		t.Errorf("GET /calendar/2027: %+v", cal)
	}
	for _, bad := range []string{"abcd", "99999", "1999", "2101", "-2028"} {
		if r := e.p.Get(t, "/api/v1/calendar/"+bad); r.Status != http.StatusBadRequest {
			t.Errorf("GET /calendar/%s: %d", bad, r.Status)
		}
	}
}
