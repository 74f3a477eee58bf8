package quality

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/devapi"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves profiles and quality scores.
type Handler struct {
	S *Service
}

// ProfileFailed is the error code of a file that cannot be profiled (422).
const ProfileFailed apperr.Code = "profile_failed"

// RetryAfter is the Retry-After (seconds) of a 202 while profiling.
const RetryAfter = 5

// Routes registers the routes; mw (rate limits) applies to the public ones.
func (h *Handler) Routes(r *web.Router, mw ...echo.MiddlewareFunc) {
	// Public like downloads: conditional data is checked against the
	// caller's grant in the service (000 Art 34).
	r.GET("/api/v1/resources/:id/profile", authz.Public, h.publicProfile, mw...)
	r.GET("/api/v1/datasets/:id/quality", authz.Public, h.datasetQuality, mw...)
	r.GET("/api/v1/quality/departments", authz.Public, h.departments, mw...)
	// Staff: narrowed by the service (the department's staff, the authority).
	r.GET("/api/v1/manage/resources/:id/profile", authz.Me, h.staffProfile)
	r.GET("/api/v1/manage/quality/fix-first", authz.Me, h.fixFirst)
}

// onlyParams refuses query parameters other than allowed (each at most once).
func onlyParams(c echo.Context, allowed ...string) error {
	var v apperr.Validation
	for name, vals := range c.QueryParams() {
		known := false
		for _, a := range allowed {
			known = known || a == name
		}
		switch {
		case !known:
			v.Add(name, "unknown parameter %q", name)
		case len(vals) > 1:
			v.Add(name, "%s may be given once", name)
		}
	}
	return v.Err()
}

// LangOf is the language a request asks for: ?lang=en|zh, else the
// Accept-Language it prefers between en and zh (zh on a tie or neither).
func LangOf(c echo.Context) (Lang, error) {
	switch strings.ToLower(c.QueryParam("lang")) {
	case "en":
		return EN, nil
	case "zh", "zh-cn":
		return ZH, nil
	case "":
	default:
		return ZH, apperr.Field("lang", "lang must be zh or en")
	}
	return preferred(c.Request().Header.Get("Accept-Language")), nil
}

// preferred reads an Accept-Language header.
func preferred(header string) Lang {
	best := map[Lang]float64{}
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		switch primary {
		case "en", "zh":
			if l := Lang(primary); q > best[l] {
				best[l] = q
			}
		}
	}
	if best[EN] > best[ZH] {
		return EN
	}
	return ZH
}

// answerProfile writes a profile, the 202 while it is made, the 422 of a
// file that cannot be profiled or the 503 of an unrecorded use.
func answerProfile(c echo.Context, v *ProfileView, err error) error {
	var pending *ProfilingError
	var unreadable *UnreadableError
	var unrecorded *useNotRecordedError
	hdr := c.Response().Header()
	switch {
	case errors.As(err, &pending):
		hdr.Set("Retry-After", strconv.Itoa(RetryAfter))
		return web.JSON(c, http.StatusAccepted, Pending{Status: "profiling", ResourceID: pending.ResourceID})
	case errors.As(err, &unreadable):
		return web.WriteError(c, http.StatusUnprocessableEntity, web.ErrorDetail{
			Code: ProfileFailed, Message: unreadable.Error(), RequestID: hdr.Get(echo.HeaderXRequestID)})
	case errors.As(err, &unrecorded):
		hdr.Set("Retry-After", strconv.Itoa(devapi.UseRetryAfter))
		return web.WriteError(c, http.StatusServiceUnavailable, web.ErrorDetail{
			Code: devapi.UseNotRecorded, Message: devapi.UseNotRecordedMessage, RequestID: hdr.Get(echo.HeaderXRequestID)})
	case err != nil:
		return err
	}
	return web.JSON(c, http.StatusOK, v)
}

// publicProfile godoc
// @Summary      Profile of a CSV resource
// @Description  What is in the file, read once by a background job: rows, duplicate rows, and per column the declared and inferred type, value domain, empty and distinct counts, range, most frequent values and the cells that break the declared type or domain (row numbers count the header as row 1). Unconditionally open data: anyone. Conditionally open data: only a grant holder, only the approved columns (403 otherwise, like downloads), and the use is recorded first. 202 with Retry-After while the profile is being made (a missing or stale one is queued); 422 when the file cannot be read as CSV.
// @Tags         quality
// @Produce      json
// @Param        id  path  string  true  "resource id"
// @Success      200 {object} ProfileView
// @Success      202 {object} Pending
// @Failure      403 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody "unknown resource, or not a CSV resource"
// @Failure      410 {object} web.ErrorBody
// @Failure      422 {object} web.ErrorBody "the file cannot be profiled"
// @Failure      503 {object} web.ErrorBody "the use could not be recorded (Retry-After)"
// @Router       /resources/{id}/profile [get]
func (h *Handler) publicProfile(c echo.Context) error {
	if err := onlyParams(c, "lang"); err != nil {
		return err
	}
	v, err := h.S.PublicProfile(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"))
	return answerProfile(c, v, err)
}

// staffProfile godoc
// @Summary      Profile of a resource in the catalog console
// @Description  The same profile for the owning department's staff, drafts included (checked against the draft's data items, so a provider sees it before submitting), and for the data authority reviewing the entry. 202 with Retry-After while it is being made.
// @Tags         quality
// @Produce      json
// @Param        id  path  string  true  "resource id"
// @Success      200 {object} ProfileView
// @Success      202 {object} Pending
// @Failure      401 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      422 {object} web.ErrorBody "the file cannot be profiled"
// @Router       /manage/resources/{id}/profile [get]
func (h *Handler) staffProfile(c echo.Context) error {
	if err := onlyParams(c, "lang"); err != nil {
		return err
	}
	v, err := h.S.StaffProfile(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"))
	return answerProfile(c, v, err)
}

// datasetQuality godoc
// @Summary      Quality score of a catalog entry
// @Description  The 0–100 score and its nine checks (ids and weights fixed: metadata_complete 20, open_format 10, on_time 15, corrections_answered 10, types_respected 15, valid_codes 10, no_duplicates 10, low_empty 5, dictionary_matches 5), each with what to do (hint) and what was found (detail), in Chinese, or English with ?lang=en or an Accept-Language preferring en. Public entries only.
// @Tags         quality
// @Produce      json
// @Param        id    path   string  true   "dataset id"
// @Param        lang  query  string  false  "zh | en"
// @Success      200 {object} QualityView
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      410 {object} web.ErrorBody
// @Router       /datasets/{id}/quality [get]
func (h *Handler) datasetQuality(c echo.Context) error {
	if err := onlyParams(c, "lang"); err != nil {
		return err
	}
	lang, err := LangOf(c)
	if err != nil {
		return err
	}
	v, err := h.S.DatasetQuality(c.Request().Context(), c.Param("id"), lang)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Vary", "Accept-Language")
	return web.JSON(c, http.StatusOK, v)
}

// departments godoc
// @Summary      Quality by department
// @Description  Per department: its public entries that have a score, their average score (one decimal) and how many score below 60; lowest average first.
// @Tags         quality
// @Produce      json
// @Success      200 {object} DepartmentList
// @Failure      400 {object} web.ErrorBody
// @Router       /quality/departments [get]
func (h *Handler) departments(c echo.Context) error {
	if err := onlyParams(c, "lang"); err != nil {
		return err
	}
	v, err := h.S.Departments(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return web.JSON(c, http.StatusOK, v)
}

// fixFirst godoc
// @Summary      What to fix first
// @Description  The failed checks of the public entries the caller answers for, the biggest gain first (weight, then the lowest score): a provider sees its department's entries; the data authority and administrators see every department's, or one department's with ?department=. Hints in Chinese, or English (?lang=en or Accept-Language).
// @Tags         quality
// @Produce      json
// @Param        limit       query  int     false  "1–100, default 20"
// @Param        department  query  string  false  "one department (the authority; a provider may name its own)"
// @Param        lang        query  string  false  "zh | en"
// @Success      200 {object} FixList
// @Failure      400 {object} web.ErrorBody
// @Failure      401 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Router       /manage/quality/fix-first [get]
func (h *Handler) fixFirst(c echo.Context) error {
	if err := onlyParams(c, "limit", "department", "lang"); err != nil {
		return err
	}
	var v apperr.Validation
	limit, err := web.QueryInt(c, "limit", DefaultFixLimit, 1, MaxFixLimit)
	if err != nil {
		v.Add("limit", "limit must be a whole number from 1 to %d", MaxFixLimit)
	}
	dept := c.QueryParam("department")
	if c.QueryParams().Has("department") && !devapi.ValidID(dept) {
		v.Add("department", "not a department id")
	}
	lang, err := LangOf(c)
	if err != nil {
		v.Add("lang", "lang must be zh or en")
	}
	if err := v.Err(); err != nil {
		return err
	}
	out, err := h.S.FixFirst(c.Request().Context(), authz.PrincipalFrom(c), dept, limit, lang)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, out)
}
