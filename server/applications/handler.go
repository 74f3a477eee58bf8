package applications

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the applications, grants and use-record API.
type Handler struct{ Service *Service }

// Routes registers the routes. Reading routes are open to every signed-in
// account (authz.Me): the service shows each caller only its own, its
// department's or its region's objects, and answers 404 for the rest.
func (h *Handler) Routes(r *web.Router) {
	r.POST("/api/v1/applications", authz.ApplicationsCreate, h.create)
	r.GET("/api/v1/applications", authz.Me, h.list)
	r.GET("/api/v1/applications/form", authz.ApplicationsCreate, h.form)
	r.GET("/api/v1/applications/overdue", authz.DeadlinesRead, h.overdue)
	r.GET("/api/v1/applications/stats", authz.Public, h.stats)
	r.GET("/api/v1/applications/:id", authz.Me, h.get)
	r.POST("/api/v1/applications/:id/decision", authz.ApplicationsReview, h.decide)
	r.POST("/api/v1/applications/:id/resubmit", authz.ApplicationsCreate, h.resubmit)
	r.POST("/api/v1/applications/:id/withdraw", authz.ApplicationsCreate, h.withdraw)
	r.PUT("/api/v1/applications/:id/commitment", authz.ApplicationsCreate, h.putCommitment, web.OwnBodyLimit)
	r.GET("/api/v1/applications/:id/commitment", authz.Me, h.getCommitment)
	r.GET("/api/v1/grants", authz.Me, h.listGrants)
	r.GET("/api/v1/grants/:id", authz.Me, h.getGrant)
	r.POST("/api/v1/grants/:id/suspend", authz.GrantsManage, h.suspend)
	r.POST("/api/v1/grants/:id/reinstate", authz.GrantsManage, h.reinstate)
	r.GET("/api/v1/use-records", authz.Me, h.listUses)
}

// ---- JSON shapes -------------------------------------------------------------

// DecisionJSON is the provider's decision.
type DecisionJSON struct {
	Decision  string    `json:"decision" enums:"approve,reject"`
	Reason    string    `json:"reason"`
	DataItems []string  `json:"data_items"`
	DecidedAt time.Time `json:"decided_at"`
	Late      bool      `json:"late"` // decided after the due date
}

// CommitmentJSON describes an uploaded commitment letter.
type CommitmentJSON struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

// EventJSON is one step of an application's history.
type EventJSON struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Note   string    `json:"note,omitempty"`
	ByMe   bool      `json:"by_me"`
}

// ApplicationJSON is an application as its parties see it. due_at and
// working_days_left are null while no clock runs (needs_more_material,
// decided, withdrawn); late and late_at stay once a due date was missed.
type ApplicationJSON struct {
	ID                  string          `json:"id"`
	Status              Status          `json:"status" enums:"submitted,needs_more_material,resubmitted,approved,rejected,withdrawn"`
	DatasetID           string          `json:"dataset_id"`
	DatasetTitle        string          `json:"dataset_title"`
	DepartmentID        string          `json:"department_id"`
	DepartmentName      string          `json:"department_name"`
	Applicant           ApplicantJSON   `json:"applicant"`
	Purpose             string          `json:"purpose"`
	Scenario            string          `json:"scenario"`
	Basis               string          `json:"basis"`
	DataItems           []string        `json:"data_items"`
	PeriodStart         string          `json:"period_start" example:"2026-01-01"`
	PeriodEnd           string          `json:"period_end" example:"2026-12-31"`
	SecurityMeasures    string          `json:"security_measures"`
	Contact             string          `json:"contact"`
	Commitment          *CommitmentJSON `json:"commitment"`
	SubmittedAt         time.Time       `json:"submitted_at"`
	Round               int             `json:"round"`
	RoundStartedAt      time.Time       `json:"round_started_at"`
	DueAt               *time.Time      `json:"due_at"`
	WorkingDaysLeft     *int            `json:"working_days_left"`
	Overdue             bool            `json:"overdue"`
	DueProvisional      bool            `json:"due_provisional"` // due_at was counted on a provisional calendar year
	Late                bool            `json:"late"`            // missed a due date at some point; a later round does not clear it
	LateAt              *time.Time      `json:"late_at"`         // the first due date missed
	Missing             []string        `json:"missing"`
	MaterialRequestedAt *time.Time      `json:"material_requested_at"`
	MaterialNote        string          `json:"material_note,omitempty"`
	Reason              string          `json:"reason,omitempty"`
	Decision            *DecisionJSON   `json:"decision"`
	GrantID             string          `json:"grant_id,omitempty"`
	EscalatedAt         *time.Time      `json:"escalated_at"`
	Actions             []string        `json:"actions"` // what the caller may do now
	History             []EventJSON     `json:"history,omitempty"`
}

// ApplicantJSON names the applicant.
type ApplicantJSON struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

func (h *Handler) applicationJSON(v viewer, a *Application) ApplicationJSON {
	now := h.Service.now()
	out := ApplicationJSON{
		ID: a.ID, Status: a.Status, DatasetID: a.DatasetID, DatasetTitle: a.DatasetTitle,
		DepartmentID: a.DepartmentID, DepartmentName: a.DepartmentName,
		Applicant: ApplicantJSON{a.ApplicantID, a.ApplicantName, a.ApplicantKind},
		Purpose:   a.Purpose, Scenario: a.Scenario, Basis: a.Basis, DataItems: nonNil(a.DataItems),
		PeriodStart: chinaDate(a.PeriodStart), PeriodEnd: chinaDate(a.PeriodEnd), SecurityMeasures: a.Security, Contact: a.Contact,
		SubmittedAt: a.SubmittedAt, Round: a.Round, RoundStartedAt: a.RoundStartedAt, DueAt: a.DueAt,
		Missing: nonNil(a.Missing), MaterialRequestedAt: a.MaterialRequestedAt, MaterialNote: a.MaterialNote,
		Reason: a.Reason, GrantID: a.GrantID, EscalatedAt: a.EscalatedAt, Actions: v.applicationActions(a),
	}
	if a.DueAt != nil {
		left := h.Service.Calendar.WorkingDaysLeft(now, *a.DueAt)
		out.WorkingDaysLeft, out.Overdue = &left, now.After(*a.DueAt)
	}
	if a.DueAt != nil {
		out.DueProvisional = h.Service.Calendar.ProvisionalSpan(a.RoundStartedAt, *a.DueAt)
	}
	out.LateAt = a.LateAt
	out.Late = a.LateAt != nil || a.DecidedLate || out.Overdue
	if a.CommitmentKey != "" {
		out.Commitment = &CommitmentJSON{Name: a.CommitmentName, Size: a.CommitmentSize, URL: "/api/v1/applications/" + a.ID + "/commitment"}
	}
	if a.DecidedAt != nil && (a.Status == Approved || a.Status == Rejected) {
		d := &DecisionJSON{Decision: DecisionReject, Reason: a.Reason, DataItems: []string{}, DecidedAt: *a.DecidedAt, Late: a.DecidedLate}
		if a.Status == Approved {
			d.Decision, d.DataItems = DecisionApprove, nonNil(a.ApprovedItems)
		}
		out.Decision = d
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PageJSON is a page of a list.
type PageJSON[T any] struct {
	Items    []T    `json:"items"`
	Total    int64  `json:"total"`
	Page     int    `json:"page"`
	PageSize int    `json:"page_size"`
	Scope    string `json:"scope"` // mine | review | manage
}

// ---- applications ------------------------------------------------------------

// create godoc
// @Summary      Apply for a conditionally open dataset
// @Description  Heilongjiang Interim Measures for Government Data Management, Art. 34: the provider decides within the profile's working days (5 in Heilongjiang), the day of submission not counted; due_at is 23:59:59 China time of the last day. Upload the signed commitment letter afterwards with PUT /applications/{id}/commitment.
// @Tags         applications
// @Accept       json
// @Produce      json
// @Param        body body Input true "the application"
// @Success      201 {object} ApplicationJSON
// @Failure      400 {object} web.ErrorBody "field errors, e.g. unknown data items"
// @Failure      401 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody "among others: the account has not verified its e-mail address"
// @Failure      409 {object} web.ErrorBody "an open application exists, or the dataset was revoked"
// @Router       /applications [post]
func (h *Handler) create(c echo.Context) error {
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p := authz.PrincipalFrom(c)
	if err := accounts.RequireVerified(p); err != nil {
		return err
	}
	a, err := h.Service.Submit(c.Request().Context(), p, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/applications/"+a.ID)
	return web.JSON(c, http.StatusCreated, h.applicationJSON(h.Service.viewer(p), a))
}

// list godoc
// @Summary      Applications: mine, or the queue I oversee
// @Description  scope=mine lists the caller's own applications (newest first). scope=review (the default for provider and authority staff) lists the department's or region's applications: pending first, the most overdue on top.
// @Tags         applications
// @Produce      json
// @Param        scope      query string false "mine | review"
// @Param        status     query string false "open | pending | decided | submitted | needs_more_material | resubmitted | approved | rejected | withdrawn"
// @Param        dataset_id query string false "only this dataset"
// @Param        overdue    query bool   false "only pending applications past their due date"
// @Param        page       query int    false "from 1"
// @Param        page_size  query int    false "1–100 (default 20)"
// @Success      200 {object} PageJSON[ApplicationJSON]
// @Failure      400 {object} web.ErrorBody
// @Failure      401 {object} web.ErrorBody
// @Router       /applications [get]
func (h *Handler) list(c echo.Context) error {
	page, size, err := web.Paging(c, 10000)
	if err != nil {
		return err
	}
	overdue := false
	if raw := c.QueryParam("overdue"); raw != "" {
		if overdue, err = strconv.ParseBool(raw); err != nil {
			return &apperr.Error{Code: apperr.Invalid, Message: "overdue must be true or false", Fields: map[string]string{"overdue": "true or false"}}
		}
	}
	p := authz.PrincipalFrom(c)
	res, err := h.Service.List(c.Request().Context(), p, ListParams{Scope: c.QueryParam("scope"), Status: c.QueryParam("status"),
		DatasetID: c.QueryParam("dataset_id"), Overdue: overdue, Page: page, PageSize: size})
	if err != nil {
		return err
	}
	v := h.Service.viewer(p)
	out := PageJSON[ApplicationJSON]{Items: make([]ApplicationJSON, len(res.Items)), Total: res.Total, Page: page, PageSize: size, Scope: res.Scope}
	for i := range res.Items {
		out.Items[i] = h.applicationJSON(v, &res.Items[i])
	}
	return web.JSON(c, http.StatusOK, out)
}

// get godoc
// @Summary      One application, with its history
// @Description  Only the applicant, the providing department and its same-level authority read an application; everyone else gets 404.
// @Tags         applications
// @Produce      json
// @Param        id path string true "application id"
// @Success      200 {object} ApplicationJSON
// @Failure      401 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Router       /applications/{id} [get]
func (h *Handler) get(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	a, err := h.Service.Get(c.Request().Context(), p, c.Param("id"))
	if err != nil {
		return err
	}
	return h.detail(c, p, a, http.StatusOK)
}

func (h *Handler) detail(c echo.Context, p *authz.Principal, a *Application, status int) error {
	out := h.applicationJSON(h.Service.viewer(p), a)
	evs, err := h.Service.History(c.Request().Context(), a)
	if err != nil {
		return err
	}
	out.History = make([]EventJSON, len(evs))
	for i, e := range evs {
		out.History[i] = EventJSON{At: e.At, Action: e.Action, Note: e.Note, ByMe: p != nil && e.ActorID == p.UserID}
	}
	return web.JSON(c, status, out)
}

// FormJSON is what the apply form shows: the entry's open conditions, its
// data items, and the due date an application submitted now would get.
type FormJSON struct {
	Dataset     FormDatasetJSON `json:"dataset"`
	ReviewDays  int             `json:"review_days"`
	ExpectedDue time.Time       `json:"expected_due_at"`
	// ExpectedDueProvisional: the expected due date runs through a year
	// whose official holiday calendar is not out yet (a plain fact for the
	// applicant; the operator warning goes to staff only, on the board).
	ExpectedDueProvisional bool   `json:"expected_due_provisional"`
	Accepting              bool   `json:"accepting"`                  // false once a revocation is approved
	Today                  string `json:"today" example:"2026-03-02"` // the portal's China date, for the period fields
}

// FormDatasetJSON is the part of a catalog entry the form needs.
type FormDatasetJSON struct {
	ID             string                 `json:"id"`
	Title          string                 `json:"title"`
	Department     catalog.DepartmentJSON `json:"department"`
	OpenConditions string                 `json:"open_conditions"`
	UsageScope     string                 `json:"usage_scope"`
	DataItems      []catalog.DataItemJSON `json:"data_items"`
	// OrganisationsOnly: the open conditions say the applicant must be a
	// legal person or another organisation (read from the conditions'
	// text, see organisationsOnly); the form tells a citizen before they
	// fill it in. The department still decides.
	OrganisationsOnly bool `json:"organisations_only"`
}

// form godoc
// @Summary  What the apply form needs for a dataset
// @Tags     applications
// @Produce  json
// @Param    dataset_id query string true "a conditionally open dataset"
// @Success  200 {object} FormJSON
// @Failure  400 {object} web.ErrorBody "not a conditional dataset"
// @Failure  404 {object} web.ErrorBody
// @Router   /applications/form [get]
func (h *Handler) form(c echo.Context) error {
	f, err := h.Service.Form(c.Request().Context(), c.QueryParam("dataset_id"))
	if err != nil {
		return err
	}
	d := f.Dataset
	now := h.Service.now()
	out := FormJSON{ReviewDays: f.ReviewDays, ExpectedDue: f.ExpectedDue, ExpectedDueProvisional: h.Service.Calendar.ProvisionalSpan(now, f.ExpectedDue),
		Accepting: !f.Closed, Today: chinaDate(now),
		Dataset: FormDatasetJSON{ID: d.ID, Title: d.Title, OpenConditions: d.OpenConditions, UsageScope: d.UsageScope, OrganisationsOnly: organisationsOnly(d.OpenConditions),
			Department: catalog.DepartmentJSON{ID: d.Department.ID, Name: d.Department.Name, RegionLevel: d.Department.RegionLevel, Region: d.Department.Region},
			DataItems:  make([]catalog.DataItemJSON, len(d.DataItems))}}
	for i, it := range d.DataItems {
		out.Dataset.DataItems[i] = catalog.DataItemJSON{Name: it.Name, Label: it.Label, Type: it.Type, Description: it.Description, Required: it.Required}
	}
	return web.JSON(c, http.StatusOK, out)
}

// decide godoc
// @Summary      Decide an application (provider)
// @Description  approve (optionally narrowing data_items to a subset of those requested) creates the grant; reject needs a reason (Heilongjiang Interim Measures for Government Data Management, Art. 34); need_material lists everything missing at once and is allowed once per application (Regulations on Government Data Sharing, Art. 21), also after the due date; the applicant's resubmission restarts the clock (our interpretation), but an application that missed a due date keeps late_at and its decision is recorded late.
// @Tags         applications
// @Accept       json
// @Produce      json
// @Param        id   path string        true "application id"
// @Param        body body DecisionInput true "the decision"
// @Success      200 {object} ApplicationJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "already decided, or material already requested once"
// @Router       /applications/{id}/decision [post]
func (h *Handler) decide(c echo.Context) error {
	var in DecisionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p := authz.PrincipalFrom(c)
	a, err := h.Service.Decide(c.Request().Context(), p, c.Param("id"), in)
	if err != nil {
		return err
	}
	return h.detail(c, p, a, http.StatusOK)
}

// resubmit godoc
// @Summary      Resubmit with the missing material (applicant)
// @Description  Only from needs_more_material. Fields left out keep their value. A new clock of the full review period starts on the day of resubmission (our interpretation: neither Heilongjiang Interim Measures for Government Data Management, Art. 34 nor Regulations on Government Data Sharing, Art. 21 says when it restarts); lateness already incurred (late_at) stays.
// @Tags         applications
// @Accept       json
// @Produce      json
// @Param        id   path string        true "application id"
// @Param        body body ResubmitInput true "note and changed fields"
// @Success      200 {object} ApplicationJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody
// @Router       /applications/{id}/resubmit [post]
func (h *Handler) resubmit(c echo.Context) error {
	var in ResubmitInput
	if c.Request().ContentLength != 0 {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	p := authz.PrincipalFrom(c)
	a, err := h.Service.Resubmit(c.Request().Context(), p, c.Param("id"), in)
	if err != nil {
		return err
	}
	return h.detail(c, p, a, http.StatusOK)
}

// withdraw godoc
// @Summary  Withdraw my open application
// @Tags     applications
// @Produce  json
// @Param    id path string true "application id"
// @Success  200 {object} ApplicationJSON
// @Failure  404 {object} web.ErrorBody
// @Failure  409 {object} web.ErrorBody
// @Router   /applications/{id}/withdraw [post]
func (h *Handler) withdraw(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	a, err := h.Service.Withdraw(c.Request().Context(), p, c.Param("id"))
	if err != nil {
		return err
	}
	return h.detail(c, p, a, http.StatusOK)
}

// putCommitment godoc
// @Summary      Upload the signed commitment letter (PDF)
// @Description  The body is the PDF itself (Content-Type: application/pdf), at most 10 MB; the content must start with %PDF-. Replaces an earlier letter while the application is open.
// @Tags         applications
// @Accept       application/pdf
// @Produce      json
// @Param        id   path  string true  "application id"
// @Param        name query string false "file name to show"
// @Success      200 {object} ApplicationJSON
// @Failure      400 {object} web.ErrorBody "not a PDF"
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody
// @Failure      413 {object} web.ErrorBody
// @Router       /applications/{id}/commitment [put]
func (h *Handler) putCommitment(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	if c.Request().ContentLength > MaxCommitmentBytes {
		// Say no before reading, but only to whoever may see the application.
		if _, err := h.Service.Get(c.Request().Context(), p, c.Param("id")); err != nil {
			return err
		}
		return apperr.New(apperr.TooLarge, "the commitment letter is larger than %d MB", MaxCommitmentBytes>>20)
	}
	a, err := h.Service.SetCommitment(c.Request().Context(), p, c.Param("id"), c.QueryParam("name"), c.Request().Body)
	if err != nil {
		return err
	}
	return h.detail(c, p, a, http.StatusOK)
}

// getCommitment godoc
// @Summary  Download an application's commitment letter
// @Tags     applications
// @Produce  application/pdf
// @Param    id path string true "application id"
// @Success  200 {file} file
// @Failure  404 {object} web.ErrorBody
// @Router   /applications/{id}/commitment [get]
func (h *Handler) getCommitment(c echo.Context) error {
	a, obj, err := h.Service.Commitment(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"))
	if err != nil {
		return err
	}
	defer obj.Close()
	hdr := c.Response().Header()
	hdr.Set("Content-Type", "application/pdf")
	hdr.Set("Content-Disposition", web.ContentDisposition(a.CommitmentName))
	hdr.Set("Cache-Control", "private, no-store")
	http.ServeContent(c.Response(), c.Request(), "", obj.ModTime(), obj)
	return nil
}

// OverdueJSON is the deadline board.
type OverdueJSON struct {
	Items            []ApplicationJSON `json:"items"`
	Departments      []DepartmentStats `json:"departments"`
	CalendarWarnings []string          `json:"calendar_warnings"`
}

// overdue godoc
// @Summary      Deadline board: overdue applications (authority, provider)
// @Description  Heilongjiang Interim Measures for Government Data Management, Art. 42: pending applications past their due date in the caller's region (authority) or department (provider), per-department counts, and the calendar's warnings for staff (a year without an official holiday file is counted on a provisional calendar, recomputed when the file arrives).
// @Tags         applications
// @Produce      json
// @Success      200 {object} OverdueJSON
// @Failure      401 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Router       /applications/overdue [get]
func (h *Handler) overdue(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	r, err := h.Service.Overdue(c.Request().Context(), p)
	if err != nil {
		return err
	}
	v := h.Service.viewer(p)
	out := OverdueJSON{Items: make([]ApplicationJSON, len(r.Items)), Departments: r.Departments, CalendarWarnings: r.CalendarWarnings}
	if out.Departments == nil {
		out.Departments = []DepartmentStats{}
	}
	for i := range r.Items {
		out.Items[i] = h.applicationJSON(v, &r.Items[i])
	}
	return web.JSON(c, http.StatusOK, out)
}

// stats godoc
// @Summary      Application statistics per department (public)
// @Description  Counts only: received, pending, overdue now, approved, rejected, decided late, escalated, late (missed a due date at any point, a missing-material notice and a new round notwithstanding) (Heilongjiang Interim Measures for Government Data Management, Art. 42).
// @Tags         applications
// @Produce      json
// @Param        department query string false "one department id"
// @Success      200 {object} catalog.ItemsJSON[DepartmentStats]
// @Router       /applications/stats [get]
func (h *Handler) stats(c echo.Context) error {
	var depts []string
	if d := c.QueryParam("department"); d != "" {
		depts = []string{d}
	}
	st, err := h.Service.Stats(c.Request().Context(), depts)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, catalog.ItemsJSON[DepartmentStats]{Items: st})
}

// ---- grants --------------------------------------------------------------------

// GrantJSON is a grant. status is active, suspended, expired or
// not_started; access_until is when access ends (the period's end, or
// earlier after a revocation).
type GrantJSON struct {
	ID            string           `json:"id"`
	ApplicationID string           `json:"application_id"`
	DatasetID     string           `json:"dataset_id"`
	DatasetTitle  string           `json:"dataset_title"`
	DepartmentID  string           `json:"department_id"`
	Holder        uint64           `json:"holder_id"`
	DataItems     []string         `json:"data_items"`
	PeriodStart   string           `json:"period_start"`
	PeriodEnd     string           `json:"period_end"`
	AccessUntil   time.Time        `json:"access_until"`
	Status        string           `json:"status" enums:"active,suspended,expired,not_started"`
	SuspendReason string           `json:"suspend_reason,omitempty"`
	SuspendedAt   *time.Time       `json:"suspended_at"`
	Revoked       bool             `json:"revoked"`
	CreatedAt     time.Time        `json:"created_at"`
	Actions       []string         `json:"actions"`
	History       []GrantEventJSON `json:"history,omitempty"`
}

// GrantEventJSON is a suspension, reinstatement or revocation.
type GrantEventJSON struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Reason string    `json:"reason,omitempty"`
}

func (h *Handler) grantJSON(v viewer, g *Grant) GrantJSON {
	return GrantJSON{
		ID: g.ID, ApplicationID: g.ApplicationID, DatasetID: g.DatasetID, DatasetTitle: g.DatasetTitle, DepartmentID: g.DepartmentID,
		Holder: g.UserID, DataItems: nonNil(g.DataItems), PeriodStart: chinaDate(g.PeriodStart), PeriodEnd: chinaDate(g.PeriodEnd),
		AccessUntil: g.AccessUntil, Status: g.State(h.Service.now()), SuspendReason: g.SuspendReason, SuspendedAt: g.SuspendedAt,
		Revoked: g.RevokedAt != nil, CreatedAt: g.CreatedAt, Actions: v.grantActions(g),
	}
}

// listGrants godoc
// @Summary      Grants: mine, or those of the data I oversee
// @Tags         grants
// @Produce      json
// @Param        scope      query string false "mine | manage"
// @Param        dataset_id query string false "only this dataset"
// @Param        page       query int    false "from 1"
// @Param        page_size  query int    false "1–100 (default 20)"
// @Success      200 {object} PageJSON[GrantJSON]
// @Failure      401 {object} web.ErrorBody
// @Router       /grants [get]
func (h *Handler) listGrants(c echo.Context) error {
	page, size, err := web.Paging(c, 10000)
	if err != nil {
		return err
	}
	p := authz.PrincipalFrom(c)
	res, err := h.Service.Grants(c.Request().Context(), p, GrantListParams{Scope: c.QueryParam("scope"), DatasetID: c.QueryParam("dataset_id"), Page: page, PageSize: size})
	if err != nil {
		return err
	}
	v := h.Service.viewer(p)
	out := PageJSON[GrantJSON]{Items: make([]GrantJSON, len(res.Items)), Total: res.Total, Page: page, PageSize: size, Scope: res.Scope}
	for i := range res.Items {
		out.Items[i] = h.grantJSON(v, &res.Items[i])
	}
	return web.JSON(c, http.StatusOK, out)
}

// getGrant godoc
// @Summary  One grant, with its suspensions and reinstatements
// @Tags     grants
// @Produce  json
// @Param    id path string true "grant id"
// @Success  200 {object} GrantJSON
// @Failure  404 {object} web.ErrorBody
// @Router   /grants/{id} [get]
func (h *Handler) getGrant(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	g, err := h.Service.Grant(c.Request().Context(), p, c.Param("id"))
	if err != nil {
		return err
	}
	return h.grantDetail(c, p, g)
}

func (h *Handler) grantDetail(c echo.Context, p *authz.Principal, g *Grant) error {
	out := h.grantJSON(h.Service.viewer(p), g)
	evs, err := h.Service.GrantHistory(c.Request().Context(), g)
	if err != nil {
		return err
	}
	out.History = make([]GrantEventJSON, len(evs))
	for i, e := range evs {
		out.History[i] = GrantEventJSON{At: e.At, Action: e.Action, Reason: e.Reason}
	}
	return web.JSON(c, http.StatusOK, out)
}

// ReasonJSON carries a reason.
type ReasonJSON struct {
	Reason string `json:"reason"`
}

// suspend godoc
// @Summary      Suspend a grant (provider or authority)
// @Description  Heilongjiang Interim Measures for Government Data Management, Art. 43, Regulations on Government Data Sharing, Art. 27: access stops at once; the holder is notified with the reason.
// @Tags         grants
// @Accept       json
// @Produce      json
// @Param        id   path string     true "grant id"
// @Param        body body ReasonJSON true "the reason"
// @Success      200 {object} GrantJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "already suspended"
// @Router       /grants/{id}/suspend [post]
func (h *Handler) suspend(c echo.Context) error {
	var in ReasonJSON
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p := authz.PrincipalFrom(c)
	g, err := h.Service.Suspend(c.Request().Context(), p, c.Param("id"), in.Reason)
	if err != nil {
		return err
	}
	return h.grantDetail(c, p, g)
}

// reinstate godoc
// @Summary  Reinstate a suspended grant (provider or authority)
// @Tags     grants
// @Accept   json
// @Produce  json
// @Param    id   path string     true  "grant id"
// @Param    body body ReasonJSON false "optional note"
// @Success  200 {object} GrantJSON
// @Failure  403 {object} web.ErrorBody
// @Failure  404 {object} web.ErrorBody
// @Failure  409 {object} web.ErrorBody "not suspended"
// @Router   /grants/{id}/reinstate [post]
func (h *Handler) reinstate(c echo.Context) error {
	var in ReasonJSON
	if c.Request().ContentLength != 0 {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	p := authz.PrincipalFrom(c)
	g, err := h.Service.Reinstate(c.Request().Context(), p, c.Param("id"), in.Reason)
	if err != nil {
		return err
	}
	return h.grantDetail(c, p, g)
}

// UseRecordJSON is one recorded download or API call (000 Art 28).
type UseRecordJSON struct {
	ID         uint64    `json:"id"`
	GrantID    string    `json:"grant_id"`
	UserID     uint64    `json:"user_id"`
	DatasetID  string    `json:"dataset_id"`
	ResourceID string    `json:"resource_id"`
	Format     string    `json:"format"`
	Fields     []string  `json:"fields"`
	Rows       int64     `json:"rows"`
	Bytes      int64     `json:"bytes"`
	At         time.Time `json:"at"`
}

// listUses godoc
// @Summary      Use records under grants
// @Description  Heilongjiang Interim Measures for Government Data Management, Art. 28: the holder sees their own records; the providing department (and its authority) the records of its data. Records are kept at least 3 years.
// @Tags         grants
// @Produce      json
// @Param        scope     query string false "mine | manage"
// @Param        grant_id  query string false "only this grant"
// @Param        page      query int    false "from 1"
// @Param        page_size query int    false "1–100 (default 20)"
// @Success      200 {object} PageJSON[UseRecordJSON]
// @Failure      401 {object} web.ErrorBody
// @Router       /use-records [get]
func (h *Handler) listUses(c echo.Context) error {
	page, size, err := web.Paging(c, 10000)
	if err != nil {
		return err
	}
	res, err := h.Service.Uses(c.Request().Context(), authz.PrincipalFrom(c), UseParams{Scope: c.QueryParam("scope"), GrantID: c.QueryParam("grant_id"), Page: page, PageSize: size})
	if err != nil {
		return err
	}
	out := PageJSON[UseRecordJSON]{Items: make([]UseRecordJSON, len(res.Items)), Total: res.Total, Page: page, PageSize: size, Scope: res.Scope}
	for i, u := range res.Items {
		out.Items[i] = UseRecordJSON{u.ID, u.GrantID, u.UserID, u.DatasetID, u.ResourceID, u.Format, nonNil(u.Fields), u.Rows, u.Bytes, u.At}
	}
	return web.JSON(c, http.StatusOK, out)
}
