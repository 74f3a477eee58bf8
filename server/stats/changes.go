package stats

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/changes"
	"github.com/hlj-opendata/portal/server/web"
)

// ChangeSource lists catalog change notices (changes.Service).
type ChangeSource interface {
	Facts(ctx context.Context, from, to time.Time) ([]changes.Fact, error)
}

// ChangeCounts is how a department answered the catalog change notices
// recorded in the months asked (000 Art 15). A notice is late when it was
// completed after its due date (after any approved extension) or is still
// open past it.
type ChangeCounts struct {
	Received      int `json:"catalog_changes_received"`
	Completed     int `json:"catalog_changes_completed"`
	OnTime        int `json:"catalog_changes_completed_on_time"`
	Late          int `json:"catalog_changes_late"`
	OpenOverdue   int `json:"catalog_changes_open_overdue"`
	OpenInTimeNow int `json:"catalog_changes_open_in_time"`
}

// ChangeDepartment is one department's row.
type ChangeDepartment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	RegionLevel string `json:"region_level"`
	Region      string `json:"region"`
	ChangeCounts
}

// ChangeReport is the catalog change statistics for a range of months.
type ChangeReport struct {
	From        string             `json:"from"`
	To          string             `json:"to"`
	GeneratedAt time.Time          `json:"generated_at"`
	Totals      ChangeCounts       `json:"totals"`
	Departments []ChangeDepartment `json:"departments"`
}

func (c *ChangeCounts) add(f changes.Fact, now time.Time) {
	c.Received++
	switch {
	case f.CompletedAt != nil:
		c.Completed++
		if f.CompletedAt.After(f.DueAt) {
			c.Late++
		} else {
			c.OnTime++
		}
	case now.After(f.DueAt):
		c.Late++
		c.OpenOverdue++
	default:
		c.OpenInTimeNow++
	}
}

// CatalogChanges counts, per department, the notices recorded from the
// first day of from to the last of to (months YYYY-MM, China time;
// defaults as for Compute), in the month they were recorded.
func (s *Service) CatalogChanges(ctx context.Context, src ChangeSource, q Query) (*ChangeReport, error) {
	from, to, err := s.monthRange(q)
	if err != nil {
		return nil, err
	}
	now := s.Now()
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
	facts, err := src.Facts(ctx, from, to.AddDate(0, 1, 0))
	if err != nil {
		return nil, err
	}
	rep := &ChangeReport{From: from.Format("2006-01"), To: to.Format("2006-01"), GeneratedAt: now.UTC().Truncate(time.Second), Departments: make([]ChangeDepartment, len(deps))}
	byID := map[string]*ChangeDepartment{}
	for i, d := range deps {
		rep.Departments[i] = ChangeDepartment{ID: d.ID, Name: d.Name, RegionLevel: d.RegionLevel, Region: d.Region}
		byID[d.ID] = &rep.Departments[i]
	}
	for _, f := range facts {
		if d := byID[f.DepartmentID]; d != nil {
			d.add(f, now)
			rep.Totals.add(f, now)
		}
	}
	return rep, nil
}

// ChangesHandler serves the catalog change statistics.
type ChangesHandler struct {
	Service *Service
	Changes ChangeSource
}

// Routes registers the route.
func (h *ChangesHandler) Routes(r *web.Router) {
	r.GET("/api/v1/stats/catalog-changes", authz.Public, h.get)
}

// get godoc
// @Summary      Catalog change notices per department (public)
// @Description  Per department: catalog change notices (Heilongjiang Interim Measures for Government Data Management, Art. 15) recorded in the months asked, completed, completed on time (by the due date after any approved extension), late (completed late, or open past the due date), open and overdue, open and in time. Months are China time; a notice counts in the month it was recorded.
// @Tags         stats
// @Produce      json
// @Param        from        query  string  false  "first month, YYYY-MM (default: 5 months before to)"
// @Param        to          query  string  false  "last month, YYYY-MM (default: this month)"
// @Param        department  query  string  false  "one department"
// @Success      200 {object} ChangeReport
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Router       /stats/catalog-changes [get]
func (h *ChangesHandler) get(c echo.Context) error {
	for name := range c.QueryParams() {
		switch name {
		case "from", "to", "department", "lang":
		default:
			return apperr.Field(name, "unknown parameter "+name)
		}
	}
	rep, err := h.Service.CatalogChanges(c.Request().Context(), h.Changes, Query{From: c.QueryParam("from"), To: c.QueryParam("to"), Department: c.QueryParam("department")})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return web.JSON(c, http.StatusOK, rep)
}
