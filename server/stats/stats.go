// Package stats is the public department statistics: per department and
// month, how applications, corrections and data requests were handled and
// how many catalog entries are behind their update schedule. These are
// the numbers the authority uses to chase departments (000 Art 42); they
// are public so anyone can see them too.
//
// Counting rules (one cohort per month, China time):
//   - an item belongs to the month it was received (applications:
//     submitted; corrections: reported; data requests: routed to the
//     department) and to the department handling it (a forwarded report
//     counts for the department it was forwarded to);
//   - "on time" means decided/answered by its due date (after any approved
//     extension or restart); items still open are not on time;
//   - "late" counts the cohort's items that missed a due date, whether
//     decided, answered or still open: an application stays late once it
//     missed one, even if the provider then asked for missing material and
//     decided within the new round (applications.Application.LateAt); a
//     data request is late when its answer or its catalog entry was or is
//     overdue;
//   - "median working days" is the median, over the decided/answered items
//     of the cohort, of the working days after the day of receipt up to the
//     day of the answer (the official calendar; an answer on the day of
//     receipt is 0). For applications the count starts at the last round
//     (a resubmission with the missing material restarts the clock);
//   - approval rate is approved / (approved + rejected), withdrawn and open
//     applications left out;
//   - "datasets overdue for update" is a snapshot at the time of the
//     request, per department, not per month (the update frequency each
//     entry declares; not the change-triggered update of 000 Art 15).
package stats

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/corrections"
	"github.com/hlj-opendata/portal/server/requests"
)

// CorrectionSource lists correction reports (corrections.Service).
type CorrectionSource interface {
	Facts(ctx context.Context, from, to time.Time) ([]corrections.Fact, error)
}

// RequestSource lists routed data requests (requests.Service).
type RequestSource interface {
	Facts(ctx context.Context, from, to time.Time) ([]requests.Fact, error)
}

// Service computes the statistics.
type Service struct {
	DB          *gorm.DB
	Calendar    *calendar.Calendar
	Corrections CorrectionSource
	Requests    RequestSource
	Log         *slog.Logger
	Now         func() time.Time
}

// China is the zone months are counted in.
var China = calendar.Zone

// MaxMonths is the longest range one request may ask for.
const MaxMonths = 24

// Month is one department's numbers for one month (or a total).
type Month struct {
	Month string `json:"month,omitempty"` // YYYY-MM; empty for totals

	ApplicationsReceived     int      `json:"applications_received"`
	ApplicationsDecided      int      `json:"applications_decided"`
	ApplicationsOnTime       int      `json:"applications_decided_on_time"`
	ApplicationsMedianDays   *float64 `json:"applications_median_working_days"`
	ApplicationsApprovalRate *float64 `json:"applications_approval_rate"`
	ApplicationsLate         int      `json:"applications_late"`

	CorrectionsReceived   int      `json:"corrections_received"`
	CorrectionsAnswered   int      `json:"corrections_answered"`
	CorrectionsOnTime     int      `json:"corrections_answered_on_time"`
	CorrectionsMedianDays *float64 `json:"corrections_median_answer_working_days"`

	RequestsReceived    int `json:"requests_received"`
	RequestsAnswered    int `json:"requests_answered"`
	RequestsOnTime      int `json:"requests_answered_on_time"`
	RequestsCatalogLate int `json:"requests_catalog_late"`
	RequestsLate        int `json:"requests_late"`

	// raw material for medians and rates
	appDays, corrDays  []float64
	approved, rejected int
}

// Department is one department's row.
type Department struct {
	ID              string  `json:"id"`
	Name            string  `json:"name"`
	RegionLevel     string  `json:"region_level"`
	Region          string  `json:"region"`
	Datasets        int     `json:"datasets"` // public catalog entries
	DatasetsOverdue int     `json:"datasets_overdue_for_update"`
	Totals          Month   `json:"totals"`
	Months          []Month `json:"months"`
	byMonth         map[string]*Month
}

// Report is the whole answer.
type Report struct {
	From                  string       `json:"from"`
	To                    string       `json:"to"`
	Months                []string     `json:"months"`
	GeneratedAt           time.Time    `json:"generated_at"`
	ApplicationsAvailable bool         `json:"applications_available"`
	Totals                Month        `json:"totals"`
	Departments           []Department `json:"departments"`
}

// ParseMonth reads YYYY-MM as the first instant of that month, China time.
func ParseMonth(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, China)
	if err != nil {
		return time.Time{}, fmt.Errorf("month must be YYYY-MM")
	}
	return t, nil
}

// Query selects the months and, optionally, one department.
type Query struct {
	From, To   string // YYYY-MM; defaults: the last 6 months up to this one
	Department string
}

// monthRange is the first days of the months from and to that q asks for:
// by default the last 6 months up to this one, at most MaxMonths.
func (s *Service) monthRange(q Query) (from, to time.Time, err error) {
	now := s.Now().In(China)
	to = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, China)
	from = to.AddDate(0, -5, 0)
	var v apperr.Validation
	if q.To != "" {
		t, err := ParseMonth(q.To)
		if err != nil {
			v.Add("to", "to must be YYYY-MM")
		}
		to = t
		if q.From == "" {
			from = to.AddDate(0, -5, 0)
		}
	}
	if q.From != "" {
		f, err := ParseMonth(q.From)
		if err != nil {
			v.Add("from", "from must be YYYY-MM")
		}
		from = f
	}
	if err := v.Err(); err != nil {
		return from, to, err
	}
	if to.Before(from) {
		return from, to, apperr.Field("from", "from must not be after to")
	}
	if from.AddDate(0, MaxMonths, 0).Before(to.AddDate(0, 1, 0)) {
		return from, to, apperr.Field("from", fmt.Sprintf("at most %d months at once", MaxMonths))
	}
	return from, to, nil
}

// Compute builds the report.
func (s *Service) Compute(ctx context.Context, q Query) (*Report, error) {
	from, to, err := s.monthRange(q)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var months []string
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	end := to.AddDate(0, 1, 0)

	var deps []catalog.Department
	db := s.DB.WithContext(ctx).Order("region_level DESC, id")
	if q.Department != "" {
		db = db.Where("id = ?", q.Department)
	}
	if err := db.Find(&deps).Error; err != nil {
		return nil, apperr.Internalf(err, "departments")
	}
	if q.Department != "" && len(deps) == 0 {
		return nil, apperr.New(apperr.NotFound, "department not found")
	}
	rep := &Report{From: months[0], To: months[len(months)-1], Months: months, GeneratedAt: now.UTC().Truncate(time.Second), Departments: []Department{}}
	byID := map[string]*Department{}
	rep.Departments = make([]Department, len(deps))
	for i, d := range deps {
		rep.Departments[i] = Department{ID: d.ID, Name: d.Name, RegionLevel: d.RegionLevel, Region: d.Region, byMonth: map[string]*Month{}}
		dep := &rep.Departments[i]
		for _, m := range months {
			dep.Months = append(dep.Months, Month{Month: m})
		}
		for j := range dep.Months {
			dep.byMonth[dep.Months[j].Month] = &dep.Months[j]
		}
		byID[d.ID] = dep
	}
	cell := func(dept string, at time.Time) *Month {
		d := byID[dept]
		if d == nil {
			return nil
		}
		return d.byMonth[at.In(China).Format("2006-01")]
	}
	days := func(from, to time.Time) float64 { return float64(s.Calendar.WorkingDaysLeft(from, to)) }

	apps, available, err := s.applications(ctx, from, end)
	if err != nil {
		return nil, err
	}
	rep.ApplicationsAvailable = available
	for _, a := range apps {
		m := cell(a.DepartmentID, a.SubmittedAt)
		if m == nil {
			continue
		}
		m.ApplicationsReceived++
		if a.late(now) {
			m.ApplicationsLate++
		}
		switch a.Status {
		case "approved":
			m.approved++
		case "rejected":
			m.rejected++
		}
		if a.DecidedAt != nil && (a.Status == "approved" || a.Status == "rejected") {
			m.ApplicationsDecided++
			if !a.DecidedLate {
				m.ApplicationsOnTime++
			}
			start := a.SubmittedAt
			if a.RoundStartedAt != nil {
				start = *a.RoundStartedAt
			}
			m.appDays = append(m.appDays, days(start, *a.DecidedAt))
		}
	}
	if s.Corrections != nil {
		facts, err := s.Corrections.Facts(ctx, from, end)
		if err != nil {
			return nil, err
		}
		for _, f := range facts {
			m := cell(f.DepartmentID, f.ReceivedAt)
			if m == nil {
				continue
			}
			m.CorrectionsReceived++
			if f.AnsweredAt != nil {
				m.CorrectionsAnswered++
				if !f.AnsweredAt.After(f.DueAt) {
					m.CorrectionsOnTime++
				}
				m.corrDays = append(m.corrDays, days(f.ReceivedAt, *f.AnsweredAt))
			}
		}
	}
	if s.Requests != nil {
		facts, err := s.Requests.Facts(ctx, from, end)
		if err != nil {
			return nil, err
		}
		for _, f := range facts {
			m := cell(f.DepartmentID, f.RoutedAt)
			if m == nil {
				continue
			}
			m.RequestsReceived++
			if f.AnsweredAt != nil {
				m.RequestsAnswered++
				if !f.AnsweredAt.After(f.AnswerDueAt) {
					m.RequestsOnTime++
				}
			}
			if f.CatalogLate {
				m.RequestsCatalogLate++
			}
			if f.AnswerLate || f.CatalogLate {
				m.RequestsLate++
			}
		}
	}
	if err := s.overdue(ctx, now, byID); err != nil {
		return nil, err
	}
	for i := range rep.Departments {
		d := &rep.Departments[i]
		for j := range d.Months {
			finish(&d.Months[j])
			add(&d.Totals, &d.Months[j])
		}
		finish(&d.Totals)
		add(&rep.Totals, &d.Totals)
	}
	finish(&rep.Totals)
	return rep, nil
}

// add accumulates m into t (counts and raw material).
func add(t, m *Month) {
	t.ApplicationsReceived += m.ApplicationsReceived
	t.ApplicationsDecided += m.ApplicationsDecided
	t.ApplicationsOnTime += m.ApplicationsOnTime
	t.CorrectionsReceived += m.CorrectionsReceived
	t.CorrectionsAnswered += m.CorrectionsAnswered
	t.CorrectionsOnTime += m.CorrectionsOnTime
	t.RequestsReceived += m.RequestsReceived
	t.RequestsAnswered += m.RequestsAnswered
	t.RequestsOnTime += m.RequestsOnTime
	t.RequestsCatalogLate += m.RequestsCatalogLate
	t.RequestsLate += m.RequestsLate
	t.ApplicationsLate += m.ApplicationsLate
	t.appDays = append(t.appDays, m.appDays...)
	t.corrDays = append(t.corrDays, m.corrDays...)
	t.approved += m.approved
	t.rejected += m.rejected
}

// finish computes medians and rates from the raw material.
func finish(m *Month) {
	m.ApplicationsMedianDays = corrections.Median(m.appDays)
	m.CorrectionsMedianDays = corrections.Median(m.corrDays)
	if n := m.approved + m.rejected; n > 0 {
		r := float64(m.approved) / float64(n)
		m.ApplicationsApprovalRate = &r
	}
}

// application is what the statistics read of an application.
type application struct {
	DepartmentID   string
	Status         string
	SubmittedAt    time.Time
	RoundStartedAt *time.Time
	DecidedAt      *time.Time
	DecidedLate    bool
	LateAt         *time.Time
	DueAt          *time.Time
}

// late: missed a due date at some point, or pending past it now.
func (a *application) late(now time.Time) bool {
	pending := a.Status == "submitted" || a.Status == "resubmitted"
	return a.DecidedLate || a.LateAt != nil || (pending && a.DueAt != nil && now.After(*a.DueAt))
}

// applications reads the applications table (server/applications) by its
// column names, so the statistics do not depend on that package's code.
// Without the table the application columns are zero and
// applications_available is false.
func (s *Service) applications(ctx context.Context, from, to time.Time) ([]application, bool, error) {
	if !s.DB.Migrator().HasTable("applications") {
		return nil, false, nil
	}
	var rows []application
	err := s.DB.WithContext(ctx).Table("applications").
		Select("department_id, status, submitted_at, round_started_at, decided_at, decided_late, late_at, due_at").
		Where("submitted_at >= ? AND submitted_at < ?", from.UTC(), to.UTC()).Scan(&rows).Error
	if err != nil {
		return nil, false, apperr.Internalf(err, "read applications")
	}
	return rows, true, nil
}

// overdue counts each department's public entries and those behind their
// update schedule (the frequency they declare; catalog.NextUpdateDue).
func (s *Service) overdue(ctx context.Context, now time.Time, byID map[string]*Department) error {
	var rows []catalog.Dataset
	err := s.DB.WithContext(ctx).Select("id, department_id, update_frequency, updated_at").
		Where("status = ? AND open_type IN ?", catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional}).
		Find(&rows).Error
	if err != nil {
		return apperr.Internalf(err, "datasets for freshness")
	}
	for _, d := range rows {
		dep := byID[d.DepartmentID]
		if dep == nil {
			continue
		}
		dep.Datasets++
		if due, ok := catalog.NextUpdateDue(d.UpdatedAt, d.UpdateFrequency); ok && now.After(due) {
			dep.DatasetsOverdue++
		}
	}
	return nil
}
