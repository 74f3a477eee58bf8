package site

import (
	"cmp"
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/frontend"
	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/web"
)

func (h *Handler) departmentRoutes(r *web.Router) {
	r.GET("/departments", web.Public, h.departmentsPage)
	r.GET("/departments/:id", web.Public, h.departmentPage)
}

// ---- /departments ----

type departmentsData struct {
	Lead   string
	Levels []deptLevel
}

// deptLevel is the departments of one level (省级, 市级, 县级).
type deptLevel struct {
	Level, Heading, Count string
	Departments           []deptCard
}

func (h *Handler) departmentsPage(c echo.Context) error {
	lang := locale.FromRequest(c.Request())
	deps, err := h.Catalog.Store.Departments(c.Request().Context())
	if err != nil {
		return err
	}
	d := &departmentsData{Lead: h.cpTN(lang, "cp.departments.lead", int64(len(deps)))}
	levels := append([]string{}, catalog.RegionLevels...)
	byLevel := map[string][]catalog.DepartmentCount{}
	for _, dep := range deps {
		if _, ok := byLevel[dep.RegionLevel]; !ok && !slices.Contains(levels, dep.RegionLevel) {
			levels = append(levels, dep.RegionLevel) // a level added later still shows
		}
		byLevel[dep.RegionLevel] = append(byLevel[dep.RegionLevel], dep)
	}
	for _, l := range levels {
		list := byLevel[l]
		if len(list) == 0 {
			continue
		}
		// The most open first, as on the home page.
		slices.SortStableFunc(list, func(a, b catalog.DepartmentCount) int { return cmp.Compare(b.DatasetCount, a.DatasetCount) })
		d.Levels = append(d.Levels, deptLevel{
			Level: l, Heading: h.cpT(lang, "cp.departments.level", "level", h.cpT(lang, "enum.region_level."+l)),
			Count: frontend.FormatNumber(len(list)), Departments: h.deptCards(lang, list),
		})
	}
	v := h.view(c)
	v.Path = "/departments"
	v.Title = h.cpT(lang, "cp.departments.title")
	v.Description = h.cpT(lang, "cp.departments.desc", "n", len(deps))
	v.Data = d
	return h.page(c, http.StatusOK, "departments", v)
}

// ---- /departments/{id} ----

type departmentData struct {
	Dept     deptCard
	Region   string
	Code     string
	Total    int
	Items    []card
	More     string // the catalog filtered on this department
	MoreText string
	// Unavailable says why the list is missing (search is down).
	Unavailable string
	Quality     *deptQuality
}

// deptQuality sums up the quality scores of a department's open entries.
type deptQuality struct {
	Average, Below string
}

func (h *Handler) departmentPage(c echo.Context) error {
	id := c.Param("id")
	if !validKey(id) {
		return h.NotFound(c)
	}
	lang := locale.FromRequest(c.Request())
	err := h.cached(c, KeyDepartment+id, "department", func() (int, *frontend.View, error) {
		ctx := c.Request().Context()
		var dep catalog.Department
		err := h.DB.WithContext(ctx).Where("id = ?", id).Take(&dep).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return 0, nil, apperr.New(apperr.NotFound, "department not found")
		}
		if err != nil {
			return 0, nil, apperr.Internalf(err, "load department %s", id)
		}
		res, err := h.Catalog.List(ctx, catalog.ListParams{Filters: map[string][]string{search.FieldDepartment: {dep.ID}}, Sort: search.SortUpdated, Page: 1, PageSize: listSize})
		// While search is down the page still tells what it can (503, not kept).
		down := apperr.Is(err, apperr.Unavailable)
		if err != nil && !down {
			return 0, nil, err
		}
		if down {
			if res.Total, err = h.publicCount(ctx, "department_id", dep.ID); err != nil {
				return 0, nil, err
			}
		}
		q, err := h.deptQuality(ctx, lang, dep.ID)
		if err != nil {
			return 0, nil, err
		}
		dc := deptCard{label: chineseLabel(lang, dep.ID, dep.Name), Level: dep.RegionLevel, Count: int64(res.Total), Text: h.cpTN(lang, "common.datasetCount", int64(res.Total))}
		d := &departmentData{
			Dept: dc, Region: dep.Region, Code: dep.Code, Total: res.Total, Items: h.cards(ctx, lang, res.Items),
			More: "/datasets?" + search.FieldDepartment + "=" + url.QueryEscape(dep.ID), MoreText: h.cpTN(lang, "cp.department.viewAll", int64(res.Total)),
			Quality: q,
		}
		v := h.view(c)
		v.Path = "/departments/" + dep.ID // as stored (MariaDB finds ids whatever their case)
		v.Title = dep.Name
		v.Description = h.cpTN(lang, "cp.department.desc", int64(res.Total), "name", dep.Name)
		ld := map[string]any{
			"@context": "https://schema.org", "@type": "GovernmentOrganization",
			"name": dep.Name, "url": h.base(c) + "/departments/" + dep.ID, "areaServed": dep.Region,
		}
		if dep.Code != "" {
			ld["identifier"] = dep.Code
		}
		v.JSONLD = ld
		v.Data = d
		if down {
			d.Unavailable = h.cpT(lang, "cp.error.unavailable")
			return http.StatusServiceUnavailable, v, nil
		}
		return http.StatusOK, v, nil
	})
	if apperr.Is(err, apperr.NotFound) {
		return h.NotFound(c)
	}
	return err
}

// deptQuality averages the scores of the department's scored open entries
// (one decimal, as GET /api/v1/quality/departments); nil when none has a
// score yet.
func (h *Handler) deptQuality(ctx context.Context, lang, id string) (*deptQuality, error) {
	var row struct {
		N, Sum, Below int64
	}
	err := h.DB.WithContext(ctx).Model(&catalog.Dataset{}).
		Select("COUNT(*) AS n, COALESCE(SUM(quality_score), 0) AS sum, COALESCE(SUM(CASE WHEN quality_score < 60 THEN 1 ELSE 0 END), 0) AS below").
		Where("department_id = ? AND status = ? AND open_type IN ? AND quality_score > 0", id, catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional}).
		Scan(&row).Error
	if err != nil {
		return nil, apperr.Internalf(err, "department quality %s", id)
	}
	if row.N == 0 {
		return nil, nil
	}
	avg := math.Round(float64(row.Sum)*10/float64(row.N)) / 10
	q := &deptQuality{Average: h.cpTN(lang, "cp.department.qualityAvg", row.N, "avg", strconv.FormatFloat(avg, 'f', 1, 64))}
	if row.Below > 0 {
		q.Below = h.cpTN(lang, "cp.department.qualityBelow", row.Below)
	}
	return q, nil
}

// publicCount counts the public entries whose column (department_id or
// topic_id) is id, from the database: the pages' count while search is
// down.
func (h *Handler) publicCount(ctx context.Context, column, id string) (int, error) {
	var n int64
	err := h.DB.WithContext(ctx).Model(&catalog.Dataset{}).
		Where(column+" = ? AND status = ? AND open_type IN ?", id, catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional}).
		Count(&n).Error
	if err != nil {
		return 0, apperr.Internalf(err, "count datasets of %s", id)
	}
	return int(n), nil
}
