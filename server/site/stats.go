package site

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/frontend"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/quality"
	"github.com/hlj-opendata/portal/server/stats"
	"github.com/hlj-opendata/portal/server/web"
)

func (h *Handler) statsRoutes(r *web.Router) {
	r.GET("/stats", web.Public, h.stats)
}

// stData is the data of /stats: the range form, the report (nil when the
// range cannot be used) and the quality of each department's entries.
type stData struct {
	From, To, Department string
	Departments          []stDept
	Invalid              bool
	MaxMonths            int
	Report               *stReport
	Quality              []stQuality
	QualityShown         bool // the quality section is there (even empty)
}

type stDept struct{ ID, Name string }

// stReport is the monthly report in displayable form: the same cards,
// charts and table the page script draws.
type stReport struct {
	From, To  string
	Cards     []stCard
	Charts    []stChart // per month: corrections, applications; then the overdue entries
	Single    bool      // one department: one row per month
	Columns   []string  // header texts after the first column
	Rows      []stRow
	FirstHead string
}

type stCard struct{ Label, Value, TestID string }

type stRow struct {
	Head, ID string
	Chinese  bool // the head is a department name
	Total    bool
	Cells    []string
}

// stChart is an inline SVG chart, drawn as the page script draws it.
type stChart struct {
	ID, Heading, Label, Desc string
	None                     bool // nothing to draw (no entry overdue)
	W, H                     int
	Legend                   []stLegend
	Lines                    []stLine
	Rects                    []stRect
	Texts                    []stText
}

type stLegend struct{ Class, Text string }

// r2 rounds a coordinate to two decimals (enough on a 720-wide box).
func r2(v float64) float64 { return math.Round(v*100) / 100 }

type stLine struct {
	Class          string
	X1, X2, Y1, Y2 float64
}
type stRect struct {
	Class, Title, Month string
	X, Y, W, H          float64
}
type stText struct {
	X, Y         float64
	Anchor, Text string
	Chinese      bool
}

type stQuality struct {
	ID, Name, Average string
	Datasets, Below60 int64
}

// stColumns are the table's columns after the first: the report field's
// JSON name (its header is pp.col.<name>) and how it is shown. The
// received counts and the overdue entries come first: on a phone they
// are what shows beside the sticky department name.
var stColumns = []struct{ key, kind string }{
	{"applications_received", "int"},
	{"corrections_received", "int"},
	{"requests_received", "int"},
	{"datasets_overdue_for_update", "overdue"},
	{"applications_decided_on_time", "int"},
	{"applications_late", "int"},
	{"applications_median_working_days", "days"},
	{"applications_approval_rate", "rate"},
	{"corrections_answered_on_time", "int"},
	{"corrections_median_answer_working_days", "days"},
	{"requests_answered", "int"},
	{"requests_answered_on_time", "int"},
	{"requests_late", "int"},
	{"requests_catalog_late", "int"},
}

// stValue is a Month's field by its JSON name: an int, or a *float64.
func stValue(m *stats.Month, key string) (int, *float64) {
	switch key {
	case "applications_received":
		return m.ApplicationsReceived, nil
	case "applications_decided_on_time":
		return m.ApplicationsOnTime, nil
	case "applications_late":
		return m.ApplicationsLate, nil
	case "applications_median_working_days":
		return 0, m.ApplicationsMedianDays
	case "applications_approval_rate":
		return 0, m.ApplicationsApprovalRate
	case "corrections_received":
		return m.CorrectionsReceived, nil
	case "corrections_answered_on_time":
		return m.CorrectionsOnTime, nil
	case "corrections_median_answer_working_days":
		return 0, m.CorrectionsMedianDays
	case "requests_received":
		return m.RequestsReceived, nil
	case "requests_answered":
		return m.RequestsAnswered, nil
	case "requests_answered_on_time":
		return m.RequestsOnTime, nil
	case "requests_late":
		return m.RequestsLate, nil
	case "requests_catalog_late":
		return m.RequestsCatalogLate, nil
	}
	return 0, nil
}

const stDash = "—"

// stOneDecimal is v rounded to one decimal, without a trailing ".0".
func stOneDecimal(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

func stPct(part, whole int) string {
	if whole == 0 {
		return stDash
	}
	return strconv.Itoa(int(math.Round(float64(part)/float64(whole)*100))) + "%"
}

// GET /stats: the department statistics for ?from= to ?to= (months,
// default the last six) and optionally one ?department=, as the page
// script asks the API for them.
func (h *Handler) stats(c echo.Context) error {
	ctx := c.Request().Context()
	v := h.view(c)
	tr := func(key string, kv ...any) string { return h.ppT(v.Lang, key, kv...) }
	q := stats.Query{From: stParam(c, "from", 7), To: stParam(c, "to", 7), Department: stParam(c, "department", 64)}
	data := &stData{From: q.From, To: q.To, Department: q.Department, MaxMonths: stats.MaxMonths}
	keep := url.Values{}
	for _, p := range [][2]string{{"from", q.From}, {"to", q.To}, {"department", q.Department}} {
		if p[1] != "" {
			keep.Set(p[0], p[1])
		}
	}
	status := http.StatusOK
	rep, err := h.Stats.Compute(ctx, q)
	switch {
	case err == nil:
		data.From, data.To = rep.From, rep.To
		data.Report = h.stReport(v.Lang, rep)
	case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.NotFound):
		// The form stays, with what was asked for, and says what to fix.
		data.Invalid = true
		status = http.StatusBadRequest
		if apperr.Is(err, apperr.NotFound) {
			status = http.StatusNotFound
		}
	default:
		return err
	}
	if data.Departments, err = h.stDepartments(ctx); err != nil {
		return err
	}
	if !data.Invalid {
		ql, err := (&quality.Service{DB: h.DB}).Departments(ctx)
		if err != nil {
			return err
		}
		data.QualityShown = true
		for _, it := range ql.Items {
			if q.Department != "" && it.Department.ID != q.Department {
				continue
			}
			data.Quality = append(data.Quality, stQuality{ID: it.Department.ID, Name: it.Department.Name,
				Average: strconv.FormatFloat(it.Average, 'f', 1, 64), Datasets: it.Datasets, Below60: it.Below60})
		}
	}
	v.Query = keep
	v.NoIndex = len(keep) > 0 // the default view is the one to index
	v.Title = tr("stats.title")
	v.Description = tr("pp.stats.desc")
	v.Data = data
	return h.page(c, status, "stats", v)
}

// stParam is a query parameter cut to n bytes (the service validates it).
func stParam(c echo.Context, name string, n int) string {
	s := strings.TrimSpace(c.QueryParam(name))
	if len(s) > n {
		s = s[:n]
	}
	return s
}

// stDepartments lists every department for the form, in the report's
// order.
func (h *Handler) stDepartments(ctx context.Context) ([]stDept, error) {
	var rows []catalog.Department
	if err := h.DB.WithContext(ctx).Select("id, name").Order("region_level DESC, id").Find(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "departments")
	}
	out := make([]stDept, len(rows))
	for i, d := range rows {
		out[i] = stDept{d.ID, d.Name}
	}
	return out, nil
}

// stReport turns the report into the page's cards, charts and table.
func (h *Handler) stReport(lang string, rep *stats.Report) *stReport {
	tr := func(key string, kv ...any) string { return h.ppT(lang, key, kv...) }
	num := frontend.FormatNumber
	days := func(v *float64) string {
		if v == nil {
			return stDash
		}
		key := "stats.days"
		if h.R.Has(lang, ppCatalogs, "stats.days.one") && math.Round(*v*10)/10 == 1 {
			key = "stats.days.one"
		}
		return tr(key, "n", stOneDecimal(*v))
	}
	apps := func(s string) string {
		if !rep.ApplicationsAvailable {
			return stDash // not counted here: not zero
		}
		return s
	}
	tot := &rep.Totals
	overdue := 0
	for _, d := range rep.Departments {
		overdue += d.DatasetsOverdue
	}
	approval := stDash
	if tot.ApplicationsApprovalRate != nil {
		approval = strconv.Itoa(int(math.Round(*tot.ApplicationsApprovalRate*100))) + "%"
	}
	out := &stReport{From: rep.From, To: rep.To}
	out.Cards = []stCard{
		{tr("stats.card.corrections"), num(tot.CorrectionsReceived), "st-corrections"},
		{tr("stats.card.correctionsOnTime"), stPct(tot.CorrectionsOnTime, tot.CorrectionsReceived), "st-corrections-ontime"},
		{tr("stats.card.correctionsMedian"), days(tot.CorrectionsMedianDays), "st-corrections-median"},
		{tr("stats.card.applications"), apps(num(tot.ApplicationsReceived)), "st-applications"},
		{tr("stats.card.applicationsOnTime"), apps(stPct(tot.ApplicationsOnTime, tot.ApplicationsReceived)), "st-applications-ontime"},
		{tr("stats.card.approval"), apps(approval), "st-approval"},
		{tr("stats.card.requests"), num(tot.RequestsAnswered) + " / " + num(tot.RequestsReceived), "st-requests"},
		{tr("stats.card.overdue"), num(overdue), "st-overdue"},
	}

	// Per-month sums over the departments shown.
	type sum struct{ corr, corrOnTime, apps, appsOnTime int }
	months := make([]sum, len(rep.Months))
	for _, d := range rep.Departments {
		for i := range d.Months {
			if i >= len(months) {
				break
			}
			m := &d.Months[i]
			months[i].corr += m.CorrectionsReceived
			months[i].corrOnTime += m.CorrectionsOnTime
			months[i].apps += m.ApplicationsReceived
			months[i].appsOnTime += m.ApplicationsOnTime
		}
	}
	received := stLegend{"bar-received", tr("stats.series.received")}
	corr := make([][2]int, len(months))
	app := make([][2]int, len(months))
	for i, m := range months {
		corr[i] = [2]int{m.corr, m.corrOnTime}
		app[i] = [2]int{m.apps, m.appsOnTime}
	}
	out.Charts = []stChart{
		stMonthChart("corr", tr("stats.chart.corrections"), rep.Months, corr, []stLegend{received, {"bar-ontime", tr("stats.series.onTime")}}),
		stMonthChart("apps", tr("stats.chart.applications"), rep.Months, app, []stLegend{received, {"bar-ontime", tr("stats.series.decidedOnTime")}}),
	}
	out.Charts = append(out.Charts, stOverdueChart(tr("stats.chart.overdue"), rep.Departments))

	// The table: one row per department (totals of the range) or, for a
	// single department, one per month and the total.
	for _, col := range stColumns {
		out.Columns = append(out.Columns, tr("pp.col."+col.key))
	}
	cells := func(m *stats.Month, overdue string) []string {
		var cs []string
		for _, col := range stColumns {
			n, f := stValue(m, col.key)
			val := num(n)
			switch col.kind {
			case "overdue":
				val = overdue
			case "days":
				val = stDash
				if f != nil {
					val = stOneDecimal(*f)
				}
			case "rate":
				val = stDash
				if f != nil {
					val = strconv.Itoa(int(math.Round(*f*100))) + "%"
				}
			}
			if strings.HasPrefix(col.key, "applications_") {
				val = apps(val)
			}
			cs = append(cs, val)
		}
		return cs
	}
	out.Single = len(rep.Departments) == 1
	if out.Single {
		d := &rep.Departments[0]
		out.FirstHead = tr("stats.table.month")
		for i := range d.Months {
			out.Rows = append(out.Rows, stRow{Head: d.Months[i].Month, ID: d.Months[i].Month, Cells: cells(&d.Months[i], "")})
		}
		out.Rows = append(out.Rows, stRow{Head: tr("stats.table.total"), ID: tr("stats.table.total"), Total: true, Cells: cells(&d.Totals, num(d.DatasetsOverdue))})
	} else {
		out.FirstHead = tr("stats.table.department")
		for i := range rep.Departments {
			d := &rep.Departments[i]
			out.Rows = append(out.Rows, stRow{Head: d.Name, ID: d.ID, Chinese: true, Cells: cells(&d.Totals, num(d.DatasetsOverdue))})
		}
	}
	return out
}

// stNiceStep is the gridline step of a chart whose largest value is top.
func stNiceStep(top float64) float64 {
	raw := top / 4
	r := raw
	if r == 0 {
		r = 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(r)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			return math.Max(1, m*mag)
		}
	}
	return math.Max(1, 10*mag)
}

// stMonthChart draws two bars per month (received, on time); the values
// are also in its title and description, and in the table.
func stMonthChart(id, label string, months []string, rows [][2]int, legend []stLegend) stChart {
	const w, h = 720, 240
	const padL, padR, padT, padB = 40.0, 10.0, 10.0, 30.0
	ch := stChart{ID: id, Heading: label, Label: label, W: w, H: h, Legend: legend}
	top := 1.0
	for _, r := range rows {
		top = math.Max(top, float64(max(r[0], r[1])))
	}
	step := stNiceStep(top)
	top = math.Ceil(top/step) * step
	y := func(v float64) float64 { return padT + (h-padT-padB)*(1-v/top) }
	band := (w - padL - padR) / float64(max(1, len(rows)))
	bw := math.Max(4, math.Min(28, band/3))
	var desc []string
	for i, r := range rows {
		desc = append(desc, months[i]+": "+strconv.Itoa(r[0])+" / "+strconv.Itoa(r[1]))
	}
	ch.Desc = strings.Join(desc, "; ")
	for v := 0.0; v <= top; v += step {
		ch.Lines = append(ch.Lines, stLine{"grid", padL, w - padR, r2(y(v)), r2(y(v))})
		ch.Texts = append(ch.Texts, stText{X: padL - 6, Y: r2(y(v) + 4), Anchor: "end", Text: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	for i, r := range rows {
		x0 := padL + band*float64(i) + band/2
		a, b := float64(r[0]), float64(r[1])
		ch.Rects = append(ch.Rects,
			stRect{Class: "bar-received", Title: months[i] + " " + strconv.Itoa(r[0]), Month: months[i], X: r2(x0 - bw - 1), Y: r2(y(a)), W: r2(bw), H: r2(y(0) - y(a))},
			stRect{Class: "bar-ontime", Title: months[i] + " " + strconv.Itoa(r[1]), X: r2(x0 + 1), Y: r2(y(b)), W: r2(bw), H: r2(y(0) - y(b))})
		ch.Texts = append(ch.Texts, stText{X: r2(x0), Y: h - padB + 16, Anchor: "middle", Text: months[i][2:]})
	}
	ch.Lines = append(ch.Lines, stLine{"axis", padL, w - padR, r2(y(0)), r2(y(0))})
	return ch
}

// stOverdueChart draws the departments with entries overdue for update,
// most first (at most 12); None when there are none.
func stOverdueChart(label string, deps []stats.Department) stChart {
	var rows []stats.Department
	for _, d := range deps {
		if d.DatasetsOverdue > 0 {
			rows = append(rows, d)
		}
	}
	if len(rows) == 0 {
		return stChart{ID: "overdue", Heading: label, None: true}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].DatasetsOverdue > rows[j].DatasetsOverdue })
	rows = rows[:min(12, len(rows))]
	const w, row, labelW = 720, 24.0, 230.0
	ch := stChart{ID: "overdue", Heading: label, Label: label, W: w, H: len(rows)*int(row) + 10}
	most := float64(rows[0].DatasetsOverdue)
	var desc []string
	for i, d := range rows {
		yy := 5 + float64(i)*row
		bar := (w - labelW - 50) * float64(d.DatasetsOverdue) / most
		n := strconv.Itoa(d.DatasetsOverdue)
		desc = append(desc, d.Name+": "+n)
		ch.Texts = append(ch.Texts, stText{X: labelW - 8, Y: yy + 15, Anchor: "end", Text: d.Name, Chinese: true})
		ch.Rects = append(ch.Rects, stRect{Class: "bar-overdue", X: labelW, Y: yy + 3, W: r2(math.Max(2, bar)), H: row - 8})
		ch.Texts = append(ch.Texts, stText{X: r2(labelW + bar + 6), Y: yy + 15, Text: n})
	}
	ch.Desc = strings.Join(desc, "; ")
	return ch
}
