package stats

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the public statistics.
type Handler struct {
	Service *Service
}

// Routes registers the statistics routes.
func (h *Handler) Routes(r *web.Router) {
	r.GET("/api/v1/stats/departments", authz.Public, h.departments)
}

// departments godoc
// @Summary      Department statistics per month (public)
// @Description  Per department and month: applications received, decided on time, late (missed a due date at any point: a later missing-material notice or new round does not clear it), median working days to decide, approval rate; corrections received, answered on time, median answer time; data requests received, answered (on time), late (answer or catalog entry overdue), catalog entries late; and, per department, public entries overdue for update. Months are China time; each item counts in the month it was received. applications_available is false when the applications table does not exist (those columns are then zero).
// @Tags         stats
// @Produce      json
// @Param        from        query  string  false  "first month, YYYY-MM (default: 5 months before to)"
// @Param        to          query  string  false  "last month, YYYY-MM (default: this month)"
// @Param        department  query  string  false  "one department"
// @Success      200 {object} Report
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Router       /stats/departments [get]
func (h *Handler) departments(c echo.Context) error {
	for name := range c.QueryParams() {
		switch name {
		case "from", "to", "department", "lang":
		default:
			return apperr.Field(name, "unknown parameter "+name)
		}
	}
	rep, err := h.Service.Compute(c.Request().Context(), Query{From: c.QueryParam("from"), To: c.QueryParam("to"), Department: c.QueryParam("department")})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return web.JSON(c, http.StatusOK, rep)
}
