package revocations

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the revocation API, the public announcements and their
// Atom feed.
type Handler struct {
	Service *Service
	// BaseURL is the portal's public URL for feed links; "" takes the
	// request's scheme and host.
	BaseURL  string
	SiteName string
}

// Routes registers the routes.
func (h *Handler) Routes(r *web.Router) {
	r.POST("/api/v1/revocations", authz.RevocationsRequest, h.request)
	r.GET("/api/v1/revocations", authz.RevocationsRead, h.list)
	r.POST("/api/v1/revocations/:id/decision", authz.RevocationsDecide, h.decide)
	r.GET("/api/v1/announcements", authz.Public, h.announcements)
	r.GET("/api/v1/announcements/:id", authz.Public, h.announcement)
	r.POST("/api/v1/announcements/:id/corrections", authz.RevocationsDecide, h.correct)
	r.GET("/api/v1/filings", authz.FilingsAcknowledge, h.filings)
	r.POST("/api/v1/filings/:id/acknowledge", authz.FilingsAcknowledge, h.acknowledge)
	r.GET("/announcements.atom", authz.Public, h.feed)
}

// RefJSON names a related object.
type RefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// RevocationJSON is a revocation request and its decision.
type RevocationJSON struct {
	ID             string     `json:"id"`
	Status         Status     `json:"status" enums:"pending,approved,rejected"`
	Dataset        RefJSON    `json:"dataset"`
	Resource       *RefJSON   `json:"resource"` // null: the whole dataset
	Department     RefJSON    `json:"department"`
	Region         string     `json:"region"`
	OpenType       string     `json:"open_type"`
	Reason         string     `json:"reason"`
	LegalBasis     string     `json:"legal_basis"`
	EffectiveDate  string     `json:"effective_date" example:"2026-07-01"` // as proposed
	RequesterName  string     `json:"requester_name"`
	RequestedAt    time.Time  `json:"requested_at"`
	DecidedAt      *time.Time `json:"decided_at"`
	DeciderName    string     `json:"decider_name,omitempty"`
	DecisionReason string     `json:"decision_reason,omitempty"`
	EffectiveAt    *time.Time `json:"effective_at"`
	GraceEnd       *time.Time `json:"grace_end"`
	AnnouncementID string     `json:"announcement_id,omitempty"`
	FilingID       string     `json:"filing_id,omitempty"`
	InEffect       bool       `json:"in_effect"`
}

func revocationJSON(r *Revocation, now time.Time) RevocationJSON {
	j := RevocationJSON{
		ID: r.ID, Status: r.Status, Dataset: RefJSON{r.DatasetID, r.DatasetTitle}, Department: RefJSON{r.DepartmentID, r.DepartmentName},
		Region: r.Region, OpenType: r.OpenType, Reason: r.Reason, LegalBasis: r.LegalBasis, EffectiveDate: r.ProposedDate,
		RequesterName: r.RequesterName, RequestedAt: r.RequestedAt, DecidedAt: r.DecidedAt, DeciderName: r.DeciderName,
		DecisionReason: r.DecisionReason, EffectiveAt: r.EffectiveAt, GraceEnd: r.GraceEnd,
		AnnouncementID: r.AnnouncementID, FilingID: r.FilingID, InEffect: r.InEffect(now),
	}
	if !r.Whole() {
		j.Resource = &RefJSON{r.ResourceID, r.ResourceName}
	}
	return j
}

// PageJSON is one page of a list.
type PageJSON[T any] struct {
	Items    []T   `json:"items"`
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
}

// request godoc
// @Summary      Ask to revoke a published dataset of one's department (Heilongjiang Interim Measures for Government Data Management, Art. 35)
// @Description  Nothing changes publicly until the same-level authority approves. Another department's dataset answers 404. resource_id (optional) revokes one resource of an unconditionally open dataset.
// @Tags         revocations
// @Accept       json
// @Produce      json
// @Param        body  body  RequestInput  true  "the request"
// @Success      201 {object} RevocationJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "a revocation of this dataset is already pending or approved"
// @Router       /revocations [post]
func (h *Handler) request(c echo.Context) error {
	var in RequestInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.Service.Request(c.Request().Context(), authz.PrincipalFrom(c), in)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, revocationJSON(r, h.Service.now()))
}

// list godoc
// @Summary      Revocations the caller oversees
// @Description  A provider sees its department's, the authority its region's; pending first.
// @Tags         revocations
// @Produce      json
// @Param        status     query  string  false  "pending | approved | rejected"
// @Param        page       query  int     false  "page, from 1"
// @Param        page_size  query  int     false  "1–100 (default 20)"
// @Success      200 {object} PageJSON[RevocationJSON]
// @Failure      400 {object} web.ErrorBody
// @Router       /revocations [get]
func (h *Handler) list(c echo.Context) error {
	page, size, err := web.Paging(c, 10000)
	if err != nil {
		return err
	}
	res, err := h.Service.List(c.Request().Context(), authz.PrincipalFrom(c), ListParams{Status: c.QueryParam("status"), Page: page, PageSize: size})
	if err != nil {
		return err
	}
	now := h.Service.now()
	out := PageJSON[RevocationJSON]{Items: make([]RevocationJSON, len(res.Items)), Total: res.Total, Page: page, PageSize: size}
	for i := range res.Items {
		out.Items[i] = revocationJSON(&res.Items[i], now)
	}
	return web.JSON(c, http.StatusOK, out)
}

// DecisionJSON is the outcome of a decision.
type DecisionJSON struct {
	Revocation   RevocationJSON    `json:"revocation"`
	Announcement *AnnouncementJSON `json:"announcement,omitempty"`
	Filing       *FilingJSON       `json:"filing,omitempty"`
}

// decide godoc
// @Summary      Approve or reject a revocation (same-level authority, Heilongjiang Interim Measures for Government Data Management, Art. 35)
// @Description  A rejection needs a reason. An approval files the revocation with the provincial authority, publishes the numbered announcement, refuses new applications and limits grants to the grace period (Heilongjiang Interim Measures for Government Data Management, Art. 16); the data goes on the effective date.
// @Tags         revocations
// @Accept       json
// @Produce      json
// @Param        id    path  string         true  "revocation id"
// @Param        body  body  DecisionInput  true  "the decision"
// @Success      200 {object} DecisionJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "already decided"
// @Router       /revocations/{id}/decision [post]
func (h *Handler) decide(c echo.Context) error {
	var in DecisionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	d, err := h.Service.Decide(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	now := h.Service.now()
	out := DecisionJSON{Revocation: revocationJSON(d.Revocation, now)}
	if d.Announcement != nil {
		a := announcementJSON(&AnnouncementDetail{Announcement: *d.Announcement, CorrectedBy: []Announcement{}}, now)
		out.Announcement = &a
	}
	if d.Filing != nil {
		f := filingJSON(d.Filing)
		out.Filing = &f
	}
	return web.JSON(c, http.StatusOK, out)
}

// AnnouncementRefJSON names another announcement.
type AnnouncementRefJSON struct {
	ID          string    `json:"id"`
	Number      string    `json:"number"`
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at"`
}

// AnnouncementJSON is a public announcement (公告).
type AnnouncementJSON struct {
	ID            string                `json:"id"`
	Number        string                `json:"number" example:"黑数开公告〔2026〕第3号"`
	Kind          string                `json:"kind" enums:"revocation,correction"`
	Title         string                `json:"title"`
	Dataset       RefJSON               `json:"dataset"`
	Resource      *RefJSON              `json:"resource"`
	Department    RefJSON               `json:"department"`
	Region        string                `json:"region"`
	Reason        string                `json:"reason"`
	LegalBasis    string                `json:"legal_basis"`
	ApprovedAt    time.Time             `json:"approved_at"`
	EffectiveAt   time.Time             `json:"effective_at"`
	GraceMonths   int                   `json:"grace_months"`
	GraceEnd      time.Time             `json:"grace_end"`
	ExistingUsers string                `json:"existing_users"`
	Correction    string                `json:"correction,omitempty"`
	Body          string                `json:"body"`
	PublishedAt   time.Time             `json:"published_at"`
	InEffect      bool                  `json:"in_effect"`
	Corrects      *AnnouncementRefJSON  `json:"corrects"`
	CorrectedBy   []AnnouncementRefJSON `json:"corrected_by"`
}

func refOf(a *Announcement) AnnouncementRefJSON {
	return AnnouncementRefJSON{ID: a.ID, Number: a.Number, Title: a.Title, PublishedAt: a.PublishedAt}
}

func announcementJSON(d *AnnouncementDetail, now time.Time) AnnouncementJSON {
	a := &d.Announcement
	j := AnnouncementJSON{
		ID: a.ID, Number: a.Number, Kind: a.Kind, Title: a.Title, Dataset: RefJSON{a.DatasetID, a.DatasetTitle},
		Department: RefJSON{a.DepartmentID, a.DepartmentName}, Region: a.Region, Reason: a.Reason, LegalBasis: a.LegalBasis,
		ApprovedAt: a.ApprovedAt, EffectiveAt: a.EffectiveAt, GraceMonths: a.GraceMonths, GraceEnd: a.GraceEnd,
		ExistingUsers: a.ExistingUsers, Correction: a.Correction, Body: a.Body, PublishedAt: a.PublishedAt,
		InEffect: !now.Before(a.EffectiveAt), CorrectedBy: make([]AnnouncementRefJSON, 0, len(d.CorrectedBy)),
	}
	if a.ResourceID != "" {
		j.Resource = &RefJSON{a.ResourceID, a.ResourceName}
	}
	if d.Corrects != nil {
		r := refOf(d.Corrects)
		j.Corrects = &r
	}
	for i := range d.CorrectedBy {
		j.CorrectedBy = append(j.CorrectedBy, refOf(&d.CorrectedBy[i]))
	}
	return j
}

// announcements godoc
// @Summary      Public announcements of revoked open data, newest first
// @Description  Permanent: a correction is a new announcement linked to the one it corrects. Also as an Atom feed at /announcements.atom.
// @Tags         announcements
// @Produce      json
// @Param        dataset_id query  string  false  "only this dataset's"
// @Param        page       query  int     false  "page, from 1"
// @Param        page_size  query  int     false  "1–100 (default 20)"
// @Success      200 {object} PageJSON[AnnouncementJSON]
// @Failure      400 {object} web.ErrorBody
// @Router       /announcements [get]
func (h *Handler) announcements(c echo.Context) error {
	page, size, err := web.Paging(c, 10000)
	if err != nil {
		return err
	}
	res, err := h.Service.Announcements(c.Request().Context(), AnnouncementParams{DatasetID: c.QueryParam("dataset_id"), Page: page, PageSize: size})
	if err != nil {
		return err
	}
	now := h.Service.now()
	out := PageJSON[AnnouncementJSON]{Items: make([]AnnouncementJSON, len(res.Items)), Total: res.Total, Page: page, PageSize: size}
	for i := range res.Items {
		out.Items[i] = announcementJSON(&AnnouncementDetail{Announcement: res.Items[i]}, now)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return web.JSON(c, http.StatusOK, out)
}

// announcement godoc
// @Summary  One announcement with the one it corrects and its corrections
// @Tags     announcements
// @Produce  json
// @Param    id  path  string  true  "announcement id"
// @Success  200 {object} AnnouncementJSON
// @Failure  404 {object} web.ErrorBody
// @Router   /announcements/{id} [get]
func (h *Handler) announcement(c echo.Context) error {
	d, err := h.Service.Announcement(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return web.JSON(c, http.StatusOK, announcementJSON(d, h.Service.now()))
}

// correct godoc
// @Summary      Publish a correction of an announcement (authority of its region)
// @Description  Announcements are never edited: the correction is a new numbered announcement that names the old one; both stay public.
// @Tags         announcements
// @Accept       json
// @Produce      json
// @Param        id    path  string           true  "announcement id"
// @Param        body  body  CorrectionInput  true  "the correction"
// @Success      201 {object} AnnouncementJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Router       /announcements/{id}/corrections [post]
func (h *Handler) correct(c echo.Context) error {
	var in CorrectionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	a, err := h.Service.Correct(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	d, err := h.Service.Announcement(c.Request().Context(), a.ID)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, announcementJSON(d, h.Service.now()))
}

// FilingJSON is a filing (备案) with the provincial authority.
type FilingJSON struct {
	ID               string     `json:"id"`
	Number           string     `json:"number" example:"黑数开备〔2026〕第3号"`
	RevocationID     string     `json:"revocation_id"`
	AnnouncementID   string     `json:"announcement_id"`
	Dataset          RefJSON    `json:"dataset"`
	Resource         *RefJSON   `json:"resource"`
	Department       RefJSON    `json:"department"`
	Region           string     `json:"region"`
	Reason           string     `json:"reason"`
	LegalBasis       string     `json:"legal_basis"`
	ApprovedAt       time.Time  `json:"approved_at"`
	ApproverName     string     `json:"approver_name"`
	EffectiveAt      time.Time  `json:"effective_at"`
	FiledAt          time.Time  `json:"filed_at"`
	AcknowledgedAt   *time.Time `json:"acknowledged_at"`
	AcknowledgerName string     `json:"acknowledger_name,omitempty"`
	Note             string     `json:"note,omitempty"`
}

func filingJSON(f *Filing) FilingJSON {
	j := FilingJSON{
		ID: f.ID, Number: f.Number, RevocationID: f.RevocationID, AnnouncementID: f.AnnouncementID,
		Dataset: RefJSON{f.DatasetID, f.DatasetTitle}, Department: RefJSON{f.DepartmentID, f.DepartmentName}, Region: f.Region,
		Reason: f.Reason, LegalBasis: f.LegalBasis, ApprovedAt: f.ApprovedAt, ApproverName: f.ApproverName, EffectiveAt: f.EffectiveAt,
		FiledAt: f.FiledAt, AcknowledgedAt: f.AcknowledgedAt, AcknowledgerName: f.AcknowledgerName, Note: f.Note,
	}
	if f.ResourceID != "" {
		j.Resource = &RefJSON{f.ResourceID, f.ResourceName}
	}
	return j
}

// filings godoc
// @Summary  Filings of approved revocations (provincial authority, Heilongjiang Interim Measures for Government Data Management, Art. 35)
// @Tags     revocations
// @Produce  json
// @Param    status     query  string  false  "pending (not acknowledged) | acknowledged"
// @Param    page       query  int     false  "page, from 1"
// @Param    page_size  query  int     false  "1–100 (default 20)"
// @Success  200 {object} PageJSON[FilingJSON]
// @Failure  400 {object} web.ErrorBody
// @Router   /filings [get]
func (h *Handler) filings(c echo.Context) error {
	page, size, err := web.Paging(c, 10000)
	if err != nil {
		return err
	}
	res, err := h.Service.Filings(c.Request().Context(), authz.PrincipalFrom(c), FilingParams{Status: c.QueryParam("status"), Page: page, PageSize: size})
	if err != nil {
		return err
	}
	out := PageJSON[FilingJSON]{Items: make([]FilingJSON, len(res.Items)), Total: res.Total, Page: page, PageSize: size}
	for i := range res.Items {
		out.Items[i] = filingJSON(&res.Items[i])
	}
	return web.JSON(c, http.StatusOK, out)
}

// acknowledge godoc
// @Summary  Acknowledge receiving a filing (provincial authority)
// @Tags     revocations
// @Accept   json
// @Produce  json
// @Param    id    path  string            true  "filing id"
// @Param    body  body  AcknowledgeInput  false "an optional note"
// @Success  200 {object} FilingJSON
// @Failure  404 {object} web.ErrorBody
// @Failure  409 {object} web.ErrorBody "already acknowledged"
// @Router   /filings/{id}/acknowledge [post]
func (h *Handler) acknowledge(c echo.Context) error {
	var in AcknowledgeInput
	if c.Request().ContentLength != 0 {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	f, err := h.Service.Acknowledge(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, filingJSON(f))
}
