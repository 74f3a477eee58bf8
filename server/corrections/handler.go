package corrections

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the corrections API.
type Handler struct {
	Service *Service
}

// Routes registers the corrections routes.
func (h *Handler) Routes(r *web.Router) {
	r.POST("/api/v1/corrections", authz.CorrectionsSubmit, h.create)
	r.GET("/api/v1/corrections", authz.Me, h.list)
	r.GET("/api/v1/corrections/summary", authz.Public, h.summary)
	r.GET("/api/v1/corrections/track/:code", authz.TrackByCode, h.track)
	r.POST("/api/v1/corrections/track/:code/evidence", authz.CorrectionsSubmit, h.addReporterEvidence, web.OwnBodyLimit)
	r.GET("/api/v1/corrections/track/:code/evidence/:eid", authz.TrackByCode, h.reporterEvidenceFile)
	r.GET("/api/v1/corrections/:id", authz.Me, h.get)
	r.POST("/api/v1/corrections/:id/answer", authz.CorrectionsAnswer, h.answer)
	r.POST("/api/v1/corrections/:id/evidence", authz.CorrectionsAnswer, h.addDepartmentEvidence, web.OwnBodyLimit)
	r.GET("/api/v1/corrections/:id/evidence/:eid", authz.Me, h.evidenceFile)
	r.POST("/api/v1/corrections/:id/extension", authz.CorrectionsAnswer, h.requestExtension)
	r.POST("/api/v1/corrections/:id/extension/decision", authz.CorrectionsExtend, h.decideExtension)
}

// ---- JSON shapes -------------------------------------------------------------

// CreatedJSON is the answer to a new report. The tracking code is shown
// this once: only its hash is stored.
type CreatedJSON struct {
	ID           uint64    `json:"id"`
	TrackingCode string    `json:"tracking_code"`
	DueAt        time.Time `json:"due_at"`
	// DueProvisional: the due date counts a year whose official holiday
	// notice is not out yet (provisional calendar); it may still move.
	DueProvisional bool   `json:"due_provisional"`
	TrackURL       string `json:"track_url"`
}

// RefJSON names a related object.
type RefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ExtensionJSON is the extension of the deadline. The reporter sees an
// approved extension only; staff see requests and refusals too.
type ExtensionJSON struct {
	Status      string     `json:"status"`
	Days        int        `json:"days"`
	Reason      string     `json:"reason,omitempty"`
	Comment     string     `json:"comment,omitempty"`
	RequestedAt *time.Time `json:"requested_at,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
}

// AnswerJSON is the department's answer.
type AnswerJSON struct {
	Outcome       Outcome   `json:"outcome"`
	Explanation   string    `json:"explanation"`
	NewResourceID string    `json:"new_resource_id,omitempty"`
	AnsweredAt    time.Time `json:"answered_at"`
	OnTime        bool      `json:"on_time"`
}

// EventJSON is one step of the history.
type EventJSON struct {
	Kind         string     `json:"kind"`
	At           time.Time  `json:"at"`
	DepartmentID string     `json:"department_id,omitempty"`
	DueAt        *time.Time `json:"due_at,omitempty"`
	// DueProvisional (with due_at): that date counts a provisional year.
	DueProvisional *bool  `json:"due_provisional,omitempty"`
	Note           string `json:"note,omitempty"`
}

// EvidenceJSON is an uploaded file.
type EvidenceJSON struct {
	ID        string    `json:"id"`
	Party     string    `json:"party"`
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url"`
}

// ReportJSON is what was reported (staff only).
type ReportJSON struct {
	Description   string `json:"description"`
	ProposedValue string `json:"proposed_value,omitempty"`
	RowKey        string `json:"row_key,omitempty"`
	AboutSelf     bool   `json:"about_self"`
}

// ReporterJSON is who reported and how to reach them: the handling
// department alone ever receives it.
type ReporterJSON struct {
	SignedIn bool   `json:"signed_in"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// CorrectionJSON is a report as the caller may see it. "report" is for
// staff; "reporter" for the handling department only.
type CorrectionJSON struct {
	ID         uint64    `json:"id"`
	Status     Status    `json:"status"`
	Dataset    RefJSON   `json:"dataset"`
	ResourceID string    `json:"resource_id,omitempty"`
	DataItem   string    `json:"data_item,omitempty"`
	Department RefJSON   `json:"department"`
	CreatedAt  time.Time `json:"created_at"`
	DueAt      time.Time `json:"due_at"`
	// DueProvisional: due_at counts a year without an official holiday
	// calendar (provisional: statutory holidays only); it may still move
	// when the notice is out, and the reporter is then told.
	DueProvisional   bool           `json:"due_provisional"`
	WorkingDaysLeft  *int           `json:"working_days_left,omitempty"`
	Overdue          bool           `json:"overdue"`
	Escalated        bool           `json:"escalated"`
	Forwards         int            `json:"forwards"`
	Extension        *ExtensionJSON `json:"extension,omitempty"`
	Answer           *AnswerJSON    `json:"answer,omitempty"`
	Events           []EventJSON    `json:"events"`
	Evidence         []EvidenceJSON `json:"evidence"`
	Report           *ReportJSON    `json:"report,omitempty"`
	Reporter         *ReporterJSON  `json:"reporter,omitempty"`
	OriginDepartment string         `json:"origin_department_id,omitempty"`
	// CanExtend (handling department): an extension may be asked for now.
	CanExtend bool `json:"can_extend,omitempty"`
	// CanDecideExtension: the caller is the approver the policy profile
	// names for the extension request waiting on this report.
	CanDecideExtension bool `json:"can_decide_extension,omitempty"`
}

// toJSON renders d for its view; evidenceURL builds a file's address.
func (h *Handler) toJSON(d *Detail, evidenceURL func(string) string) CorrectionJSON {
	now := h.Service.now()
	c := &d.Correction
	out := CorrectionJSON{
		ID: c.ID, Status: c.Status, Dataset: RefJSON{c.DatasetID, d.DatasetTitle}, ResourceID: c.ResourceID, DataItem: c.DataItem,
		Department: RefJSON{c.DepartmentID, d.DepartmentName}, CreatedAt: c.CreatedAt, DueAt: c.DueAt, Escalated: c.EscalatedAt != nil,
		Forwards: c.Forwards, Events: []EventJSON{}, Evidence: []EvidenceJSON{}, CanDecideExtension: d.CanDecide,
		DueProvisional: h.Service.Calendar.ProvisionalSpan(c.ClockStart, c.DueAt),
	}
	if c.Open() {
		left := h.Service.Calendar.WorkingDaysLeft(now, c.DueAt)
		out.WorkingDaysLeft = &left
		out.Overdue = now.After(c.DueAt)
	}
	if c.ExtensionStatus != "" && (d.View >= ViewAuthority || c.ExtensionStatus == ExtensionApproved) {
		out.Extension = &ExtensionJSON{Status: c.ExtensionStatus, Days: c.ExtensionDays}
		if d.View >= ViewAuthority {
			out.Extension.Reason, out.Extension.Comment = c.ExtensionReason, c.ExtensionComment
			out.Extension.RequestedAt, out.Extension.DecidedAt = c.ExtensionRequestedAt, c.ExtensionDecidedAt
		}
	}
	if c.AnsweredAt != nil {
		out.Answer = &AnswerJSON{Outcome: c.Outcome, Explanation: c.Explanation, NewResourceID: c.NewResourceID, AnsweredAt: *c.AnsweredAt, OnTime: *c.OnTime()}
	}
	for _, e := range d.Events {
		note := e.Note
		if e.Kind == EventEvidenceAdded && d.View < ViewDepartment {
			note = "" // which party added a file is the department's business
		}
		ev := EventJSON{Kind: e.Kind, At: e.At, DepartmentID: e.DepartmentID, DueAt: e.DueAt, Note: note}
		if e.DueAt != nil {
			prov := h.Service.Calendar.ProvisionalSpan(e.At, *e.DueAt)
			ev.DueProvisional = &prov
		}
		out.Events = append(out.Events, ev)
	}
	for _, e := range d.Evidence {
		out.Evidence = append(out.Evidence, EvidenceJSON{ID: e.ID, Party: e.Party, MediaType: e.MediaType, Size: e.Size, SHA256: e.SHA256, CreatedAt: e.CreatedAt, URL: evidenceURL(e.ID)})
	}
	if d.View >= ViewAuthority {
		out.Report = &ReportJSON{Description: c.Description, ProposedValue: c.ProposedValue, AboutSelf: c.AboutSelf}
		out.OriginDepartment = c.OriginDepartmentID
	}
	if d.View == ViewDepartment {
		// Only the department that must check the data and answer sees who
		// asked and where they are (000 Art 24; 002: least privilege).
		out.Report.RowKey = c.RowKey
		out.Reporter = &ReporterJSON{SignedIn: c.ReporterUserID != nil, Name: c.ContactName, Email: c.ContactEmail, Phone: c.ContactPhone}
		prof := h.Service.Profile
		out.CanExtend = c.Open() && c.ExtensionsUsed < prof.CorrectionExtensionsAllowed && c.ExtensionStatus != ExtensionRequested && !now.After(c.DueAt)
	}
	return out
}

func staffEvidenceURL(id uint64) func(string) string {
	return func(eid string) string { return "/api/v1/corrections/" + idString(id) + "/evidence/" + eid }
}

func codeEvidenceURL(code string) func(string) string {
	return func(eid string) string {
		return "/api/v1/corrections/track/" + url.PathEscape(code) + "/evidence/" + eid
	}
}

// ---- handlers -----------------------------------------------------------------

// create godoc
// @Summary      Report an error in a published dataset (纠错)
// @Description  Anyone may report: a visitor gives a contact (an object {name,email,phone} or a plain e-mail/phone string); a signed-in account may leave it out. Reports about the reporter's own data (about_self) need a signed-in account. The tracking code (144 random bits, URL-safe) is returned once. Rate limits per address and account (429), a cap on open reports per contact (409).
// @Tags         corrections
// @Accept       json
// @Produce      json
// @Param        body  body  ReportInput  true  "the report"
// @Success      201 {object} CreatedJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      401 {object} web.ErrorBody "about_self without signing in"
// @Failure      403 {object} web.ErrorBody "a signed-in account that has not verified its e-mail address"
// @Failure      409 {object} web.ErrorBody "the same report is open, or too many open reports for this contact"
// @Failure      429 {object} web.ErrorBody
// @Router       /corrections [post]
func (h *Handler) create(c echo.Context) error {
	var in ReportInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p := authz.PrincipalFrom(c)
	if p != nil { // a visitor reports with a contact instead
		if err := accounts.RequireVerified(p); err != nil {
			return err
		}
	}
	res, err := h.Service.Create(c.Request().Context(), p, c.RealIP(), in)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, CreatedJSON{ID: res.ID, TrackingCode: res.TrackingCode, DueAt: res.DueAt,
		DueProvisional: res.DueProvisional, TrackURL: "/corrections/track#" + res.TrackingCode})
}

// track godoc
// @Summary      Follow a report by its tracking code
// @Description  The status, due date, answer and history of a report. Never any personal data: no reporter, contact, description or row key.
// @Tags         corrections
// @Produce      json
// @Param        code  path  string  true  "tracking code"
// @Success      200 {object} CorrectionJSON
// @Failure      404 {object} web.ErrorBody
// @Router       /corrections/track/{code} [get]
func (h *Handler) track(c echo.Context) error {
	code := c.Param("code")
	d, err := h.Service.Track(c.Request().Context(), code)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, h.toJSON(d, codeEvidenceURL(code)))
}

// ListJSON is a page of reports.
type ListJSON struct {
	Total    int64            `json:"total"`
	Page     int              `json:"page"`
	PageSize int              `json:"page_size"`
	Items    []CorrectionJSON `json:"items"`
}

// list godoc
// @Summary      Reports in the caller's queue
// @Description  A provider sees its department's reports (with the reporter's contact), an authority those of the departments it oversees (without), anyone else the reports they made while signed in (status only).
// @Tags         corrections
// @Produce      json
// @Param        status     query  string  false  "open | answered"
// @Param        extension  query  string  false  "requested: extension requests waiting for the authority"
// @Param        overdue    query  bool    false  "only open reports past their due date"
// @Param        page       query  int     false  "page, from 1"
// @Param        page_size  query  int     false  "1–100 (default 20)"
// @Success      200 {object} ListJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      401 {object} web.ErrorBody
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /corrections [get]
func (h *Handler) list(c echo.Context) error {
	page, size, err := web.Paging(c, 10000)
	if err != nil {
		return err
	}
	q := ListQuery{Status: c.QueryParam("status"), Extension: c.QueryParam("extension"), Page: page, PageSize: size}
	switch c.QueryParam("overdue") {
	case "", "false", "0":
	case "true", "1":
		q.Overdue = true
	default:
		return apperr.Field("overdue", "overdue must be true or false")
	}
	res, err := h.Service.List(c.Request().Context(), authz.PrincipalFrom(c), q)
	if err != nil {
		return err
	}
	out := ListJSON{Total: res.Total, Page: page, PageSize: size, Items: make([]CorrectionJSON, 0, len(res.Items))}
	for i := range res.Items {
		out.Items = append(out.Items, h.toJSON(&res.Items[i], staffEvidenceURL(res.Items[i].ID)))
	}
	return web.JSON(c, http.StatusOK, out)
}

func pathID(c echo.Context) (uint64, error) { return web.PathID(c, errNotFound) }

// get godoc
// @Summary      One report as the caller may see it
// @Description  The handling department sees the reporter and contact; the overseeing authority the report without them; the signed-in reporter the status. Others get 404.
// @Tags         corrections
// @Produce      json
// @Param        id  path  int  true  "report id"
// @Success      200 {object} CorrectionJSON
// @Failure      404 {object} web.ErrorBody
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /corrections/{id} [get]
func (h *Handler) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := h.Service.Get(c.Request().Context(), authz.PrincipalFrom(c), id)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, h.toJSON(d, staffEvidenceURL(id)))
}

// answer godoc
// @Summary      Answer a report (provider of the handling department)
// @Description  corrected: explanation says what changed, new_resource_id optionally links the resource (version) holding the fix. not_an_error: explanation gives the reason (evidence may be uploaded first). forwarded: department_id names the department that holds the data; its clock restarts on the forwarding day. Answering closes the report and lifts the dataset's under-dispute mark.
// @Tags         corrections
// @Accept       json
// @Produce      json
// @Param        id    path  int          true  "report id"
// @Param        body  body  AnswerInput  true  "the answer"
// @Success      200 {object} CorrectionJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "already answered"
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /corrections/{id}/answer [post]
func (h *Handler) answer(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in AnswerInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	d, err := h.Service.Answer(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, h.toJSON(d, staffEvidenceURL(id)))
}

// requestExtension godoc
// @Summary      Ask for more time (profiles that allow it)
// @Description  National profile: once per report, at most correction_extension_max working days, asked before the deadline; the approver the profile names (correction_extension_approver: provider_head, the department's head, or authority) decides.
// @Tags         corrections
// @Accept       json
// @Produce      json
// @Param        id    path  int             true  "report id"
// @Param        body  body  ExtensionInput  true  "days and reason"
// @Success      200 {object} CorrectionJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "no extension allowed, already used or pending, or the deadline passed"
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /corrections/{id}/extension [post]
func (h *Handler) requestExtension(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in ExtensionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	d, err := h.Service.RequestExtension(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, h.toJSON(d, staffEvidenceURL(id)))
}

// decideExtension godoc
// @Summary      Approve or refuse an extension (the profile's approver)
// @Description  Decided by the approver the policy profile names (correction_extension_approver): provider_head, the handling department's head (Pingshan County Government Data Sharing Rules, Art. 21), or authority, the same-level data authority. Staff who see the report but are not that approver get 403; those who do not see it 404. An approved extension counts from the current due date; the reporter is told the new date. A refusal states its reason.
// @Tags         corrections
// @Accept       json
// @Produce      json
// @Param        id    path  int                true  "report id"
// @Param        body  body  ExtensionDecision  true  "approve | refuse"
// @Success      200 {object} CorrectionJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody "not the approver the profile names"
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "no request waiting"
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /corrections/{id}/extension/decision [post]
func (h *Handler) decideExtension(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in ExtensionDecision
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	d, err := h.Service.DecideExtension(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, h.toJSON(d, staffEvidenceURL(id)))
}

// SummaryJSON is the public history of reports in aggregate.
type SummaryJSON struct {
	DatasetID        string   `json:"dataset_id,omitempty"`
	Received         int64    `json:"received"`
	Open             int64    `json:"open"`
	Answered         int64    `json:"answered"`
	Corrected        int64    `json:"corrected"`
	NotAnError       int64    `json:"not_an_error"`
	AnsweredOnTime   int64    `json:"answered_on_time"`
	MedianAnswerDays *float64 `json:"median_answer_working_days"`
	// The policy profile's deadline and longest extension, in working days.
	AnswerWorkingDays int `json:"answer_working_days"`
	ExtensionMaxDays  int `json:"extension_max_working_days"`
}

// summary godoc
// @Summary      Public history of reports, in aggregate
// @Description  Counts and the median answer time in working days, for one dataset or the whole portal. Nothing about any single report.
// @Tags         corrections
// @Produce      json
// @Param        dataset_id  query  string  false  "a published dataset"
// @Success      200 {object} SummaryJSON
// @Failure      404 {object} web.ErrorBody
// @Router       /corrections/summary [get]
func (h *Handler) summary(c echo.Context) error {
	id := c.QueryParam("dataset_id")
	if id != "" {
		if _, err := h.Service.Catalog.PublicDataset(c.Request().Context(), id); err != nil {
			return err
		}
	}
	s, err := h.Service.Summarise(c.Request().Context(), id)
	if err != nil {
		return err
	}
	prof := h.Service.Profile
	return web.JSON(c, http.StatusOK, SummaryJSON{id, s.Received, s.Open, s.Answered, s.Corrected, s.NotAnError, s.AnsweredOnTime, s.MedianAnswerDays,
		prof.CorrectionAnswer, prof.CorrectionExtensionMax})
}

// upload reads the multipart field "file" and hands it to store while
// streaming: the file is never held whole in memory.
func (h *Handler) upload(c echo.Context, store func(io.Reader) (*Evidence, error)) (*Evidence, error) {
	req := c.Request()
	mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEMultipartForm {
		return nil, apperr.New(apperr.Invalid, "send the file as multipart/form-data in the field \"file\"")
	}
	// The form's few headers plus the file: anything beyond is refused.
	req.Body = http.MaxBytesReader(c.Response(), req.Body, h.Service.Limits.EvidenceBytes+64<<10)
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "malformed multipart body")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, apperr.Field("file", "no file in the field \"file\"")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, apperr.New(apperr.TooLarge, "the file is larger than %d MB", h.Service.Limits.EvidenceBytes>>20)
			}
			return nil, apperr.Wrap(apperr.Invalid, err, "malformed multipart body")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		ev, err := store(part)
		part.Close()
		return ev, err
	}
}

// addReporterEvidence godoc
// @Summary      Add evidence to one's own report (by tracking code)
// @Description  A PNG or JPEG image or a PDF, judged by its content; at most 5 MB and 3 files. Only while the report is open. Only the handling department can download it.
// @Tags         corrections
// @Accept       mpfd
// @Produce      json
// @Param        code  path      string  true  "tracking code"
// @Param        file  formData  file    true  "image or PDF"
// @Success      201 {object} EvidenceJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody
// @Failure      413 {object} web.ErrorBody
// @Router       /corrections/track/{code}/evidence [post]
func (h *Handler) addReporterEvidence(c echo.Context) error {
	code := c.Param("code")
	ctx := c.Request().Context()
	if _, err := h.Service.byCode(ctx, code); err != nil {
		return err // an unknown code is refused before the body is read
	}
	ev, err := h.upload(c, func(r io.Reader) (*Evidence, error) { return h.Service.AddReporterEvidence(ctx, code, r) })
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, evidenceJSON(ev, codeEvidenceURL(code)))
}

// addDepartmentEvidence godoc
// @Summary      Add the department's evidence to a report
// @Description  A PNG or JPEG image or a PDF (e.g. proof that the data is right), judged by its content; at most 5 MB and 3 files. The reporter can download it.
// @Tags         corrections
// @Accept       mpfd
// @Produce      json
// @Param        id    path      int   true  "report id"
// @Param        file  formData  file  true  "image or PDF"
// @Success      201 {object} EvidenceJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      413 {object} web.ErrorBody
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /corrections/{id}/evidence [post]
func (h *Handler) addDepartmentEvidence(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := authz.PrincipalFrom(c)
	if _, err := h.Service.forDepartment(ctx, p, id); err != nil {
		return err
	}
	ev, err := h.upload(c, func(r io.Reader) (*Evidence, error) { return h.Service.AddDepartmentEvidence(ctx, p, id, r) })
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, evidenceJSON(ev, staffEvidenceURL(id)))
}

func evidenceJSON(e *Evidence, url func(string) string) EvidenceJSON {
	return EvidenceJSON{ID: e.ID, Party: e.Party, MediaType: e.MediaType, Size: e.Size, SHA256: e.SHA256, CreatedAt: e.CreatedAt, URL: url(e.ID)}
}

var extOf = map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

// reporterEvidenceFile godoc
// @Summary      Download the department's evidence (by tracking code)
// @Tags         corrections
// @Produce      octet-stream
// @Param        code  path  string  true  "tracking code"
// @Param        eid   path  string  true  "evidence id"
// @Success      200 {file} file
// @Failure      404 {object} web.ErrorBody
// @Router       /corrections/track/{code}/evidence/{eid} [get]
func (h *Handler) reporterEvidenceFile(c echo.Context) error {
	ev, obj, err := h.Service.EvidenceByCode(c.Request().Context(), c.Param("code"), c.Param("eid"))
	if err != nil {
		return err
	}
	defer obj.Close()
	return web.ServeAttachment(c, "evidence-"+ev.ID[:8]+extOf[ev.MediaType], ev.MediaType, ev.CreatedAt, obj)
}

// evidenceFile godoc
// @Summary      Download a report's evidence
// @Description  The handling department gets every file; the authority and the signed-in reporter the department's files only.
// @Tags         corrections
// @Produce      octet-stream
// @Param        id   path  int     true  "report id"
// @Param        eid  path  string  true  "evidence id"
// @Success      200 {file} file
// @Failure      404 {object} web.ErrorBody
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /corrections/{id}/evidence/{eid} [get]
func (h *Handler) evidenceFile(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ev, obj, err := h.Service.EvidenceFor(c.Request().Context(), authz.PrincipalFrom(c), id, c.Param("eid"))
	if err != nil {
		return err
	}
	defer obj.Close()
	return web.ServeAttachment(c, "evidence-"+ev.ID[:8]+extOf[ev.MediaType], ev.MediaType, ev.CreatedAt, obj)
}
