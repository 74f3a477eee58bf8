package publishing

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/upload"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the staff API under /api/v1/manage/ and the public
// change history.
type Handler struct {
	Service *Service
}

// multipartSlack is what multipart framing may add to a file's size.
const multipartSlack = 1 << 20

// Routes registers the publishing routes. Listing and reading entries is
// open to any signed-in account at the guard and narrowed by the service
// with the role policy: a provider sees its department's entries, the
// authority its region's, everyone else gets 403.
func (h *Handler) Routes(r *web.Router) {
	r.GET("/api/v1/manage/datasets", authz.Me, h.list)
	r.POST("/api/v1/manage/datasets", authz.DatasetsManage, h.create)
	r.GET("/api/v1/manage/datasets/:id", authz.Me, h.get)
	r.PATCH("/api/v1/manage/datasets/:id", authz.DatasetsManage, h.update)
	r.POST("/api/v1/manage/datasets/:id/resources", authz.DatasetsManage, h.upload, web.OwnBodyLimit)
	r.POST("/api/v1/manage/datasets/:id/propose-items", authz.DatasetsManage, h.proposeItems, web.OwnBodyLimit)
	r.POST("/api/v1/manage/datasets/:id/submit", authz.DatasetsManage, h.submit)
	r.POST("/api/v1/manage/datasets/:id/review", authz.DatasetsReview, h.review)
	r.DELETE("/api/v1/manage/resources/:id", authz.DatasetsManage, h.removeResource)
	r.GET("/api/v1/manage/resources/:id/download", authz.Me, h.downloadResource)
	r.GET("/api/v1/manage/import/template", authz.DatasetsManage, h.template)
	r.POST("/api/v1/manage/import", authz.DatasetsManage, h.importCatalog, web.OwnBodyLimit)
	r.GET("/api/v1/datasets/:id/history", web.Public, h.history)
}

// list godoc
// @Summary      Catalog console: entries of my department, or the authority's review queue
// @Description  A provider sees its department's entries (drafts included); the data authority sees its region's entries that were submitted or published. status=submitted is the review queue, oldest deadline first.
// @Tags         publishing
// @Produce      json
// @Param        status     query  string  false  "draft | submitted | returned | published | revoked"
// @Param        overdue    query  bool    false  "only entries behind the update frequency they declare"
// @Param        page       query  int     false  "page, from 1"
// @Param        page_size  query  int     false  "1–100 (default 20)"
// @Success      200 {object} ListResult
// @Failure      400 {object} web.ErrorBody
// @Failure      401 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Router       /manage/datasets [get]
func (h *Handler) list(c echo.Context) error {
	var v apperr.Validation
	page, err := web.QueryInt(c, "page", 1, 1, 10000)
	if err != nil {
		v.Add("page", "page must be a whole number from 1")
	}
	size, err := web.QueryInt(c, "page_size", 20, 1, 100)
	if err != nil {
		v.Add("page_size", "page_size must be a whole number from 1 to 100")
	}
	overdue := false
	switch c.QueryParam("overdue") {
	case "", "0", "false":
	case "1", "true":
		overdue = true
	default:
		v.Add("overdue", "overdue must be true or false")
	}
	if err := v.Err(); err != nil {
		return err
	}
	res, err := h.Service.List(c.Request().Context(), authz.PrincipalFrom(c), ListQuery{Status: c.QueryParam("status"), Overdue: overdue, Page: page, PageSize: size})
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, res)
}

// readDraftBody reads a JSON object body.
func readDraftBody(c echo.Context) ([]byte, error) {
	var raw json.RawMessage
	if err := web.DecodeJSON(c, &raw); err != nil {
		return nil, err
	}
	if t := strings.TrimSpace(string(raw)); !strings.HasPrefix(t, "{") {
		return nil, apperr.New(apperr.Invalid, "the body must be a JSON object")
	}
	return raw, nil
}

// create godoc
// @Summary      Create a draft catalog entry for my department
// @Description  The body uses the field names of the public dataset JSON (a published entry's JSON minus ids and resources is a valid draft); the department is always the caller's own. Conditional entries must state open_conditions and usage_scope, not_open entries not_open_reason (Heilongjiang Interim Measures for Government Data Management, Art. 33).
// @Tags         publishing
// @Accept       json
// @Produce      json
// @Param        draft  body  Draft  true  "the entry"
// @Success      201 {object} DetailJSON
// @Failure      400 {object} web.ErrorBody "field-level errors in error.fields"
// @Failure      403 {object} web.ErrorBody
// @Router       /manage/datasets [post]
func (h *Handler) create(c echo.Context) error {
	a, err := h.Service.ProviderActor(authz.PrincipalFrom(c))
	if err != nil {
		return err
	}
	raw, err := readDraftBody(c)
	if err != nil {
		return err
	}
	id, err := h.Service.Create(c.Request().Context(), a, raw)
	if err != nil {
		return err
	}
	return h.detail(c, id, http.StatusCreated)
}

func (h *Handler) detail(c echo.Context, id string, status int) error {
	d, err := h.Service.Get(c.Request().Context(), authz.PrincipalFrom(c), id)
	if err != nil {
		return err
	}
	return web.JSON(c, status, d)
}

// get godoc
// @Summary      One entry in the console: pending version, published version, reviews, history
// @Tags         publishing
// @Produce      json
// @Param        id  path  string  true  "dataset id"
// @Success      200 {object} DetailJSON
// @Failure      403 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody "missing, or another department's"
// @Router       /manage/datasets/{id} [get]
func (h *Handler) get(c echo.Context) error {
	return h.detail(c, c.Param("id"), http.StatusOK)
}

// update godoc
// @Summary      Change an entry (merge patch)
// @Description  Members present replace the pending version's; on a published entry this opens a new version that goes through review while the public keeps the published one.
// @Tags         publishing
// @Accept       json
// @Produce      json
// @Param        id     path  string  true  "dataset id"
// @Param        patch  body  Draft   true  "members to change"
// @Success      200 {object} DetailJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "under review"
// @Router       /manage/datasets/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	a, err := h.Service.ProviderActor(authz.PrincipalFrom(c))
	if err != nil {
		return err
	}
	id := c.Param("id")
	if _, err := h.Service.loadOwned(c.Request().Context(), a, id); err != nil {
		return err
	}
	raw, err := readDraftBody(c)
	if err != nil {
		return err
	}
	if err := h.Service.Update(c.Request().Context(), a, id, raw); err != nil {
		return err
	}
	return h.detail(c, id, http.StatusOK)
}

// upload godoc
// @Summary      Upload a resource file to an entry
// @Description  multipart/form-data with the file in "file" (and optionally "name" before it). CSV (UTF-8 or GB18030, stored as UTF-8), XLSX or JSON, decided by content; the file must match the declared data items (header names, types, required cells). The size limit is PORTAL_MAX_UPLOAD_MB.
// @Tags         publishing
// @Accept       mpfd
// @Produce      json
// @Param        id    path      string  true   "dataset id"
// @Param        file  formData  file    true   "the file"
// @Param        name  formData  string  false  "display name (default: the file's name)"
// @Success      201 {object} ResourceJSON
// @Failure      400 {object} web.ErrorBody "errors by row and column in error.fields"
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody
// @Failure      413 {object} web.ErrorBody
// @Router       /manage/datasets/{id}/resources [post]
func (h *Handler) upload(c echo.Context) error {
	a, err := h.Service.ProviderActor(authz.PrincipalFrom(c))
	if err != nil {
		return err
	}
	req := c.Request()
	defer drain(req)
	r, err := h.Service.AddResource(req.Context(), a, c.Param("id"), h.fileSource(c))
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, resourceJSON(*r))
}

// proposeItems godoc
// @Summary      Propose the data items of an entry from a file (nothing is stored)
// @Description  For an entry that declares no data items yet: multipart/form-data with a CSV (UTF-8 or GB18030) or XLSX file in "file", under the same limits as an upload. The file is profiled and dropped; the answer proposes one data item per column (name from the header, type and value domain from the cells, required when no cell is empty) with the column profiles. The provider saves the items (PATCH) and then uploads the file.
// @Tags         publishing
// @Accept       mpfd
// @Produce      json
// @Param        id    path      string  true  "dataset id"
// @Param        file  formData  file    true  "the CSV or XLSX file"
// @Success      200 {object} ItemsProposal
// @Failure      400 {object} web.ErrorBody "unreadable file, header without names"
// @Failure      404 {object} web.ErrorBody "missing, or another department's"
// @Failure      409 {object} web.ErrorBody "the entry already declares data items, or is under review"
// @Failure      413 {object} web.ErrorBody
// @Failure      422 {object} web.ErrorBody "a JSON file"
// @Router       /manage/datasets/{id}/propose-items [post]
func (h *Handler) proposeItems(c echo.Context) error {
	a, err := h.Service.ProviderActor(authz.PrincipalFrom(c))
	if err != nil {
		return err
	}
	req := c.Request()
	defer drain(req)
	res, err := h.Service.ProposeItems(req.Context(), a, c.Param("id"), h.fileSource(c))
	if err == errProposeNotTable {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, errProposeNotTable.Message)
	}
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, res)
}

// fileSource reads the multipart stream up to the "file" part. The body is
// capped at the upload limit plus framing; the file's own limit is
// enforced while it is streamed to disk.
func (h *Handler) fileSource(c echo.Context) FileSource {
	return func() (io.Reader, string, error) {
		req := c.Request()
		max := h.Service.Uploads.Limits.MaxBytes
		if req.ContentLength > max+multipartSlack {
			return nil, "", &apperr.Error{Code: apperr.TooLarge, Message: "the file is too large", Fields: map[string]string{"file": "the file is larger than the upload limit"}}
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, max+multipartSlack)
		mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
		if mt != echo.MIMEMultipartForm {
			return nil, "", apperr.Field("file", "send the file as multipart/form-data in the field \"file\"")
		}
		mr, err := req.MultipartReader()
		if err != nil {
			return nil, "", apperr.Field("file", "send the file as multipart/form-data in the field \"file\"")
		}
		name := ""
		for {
			part, err := mr.NextPart()
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, "", &apperr.Error{Code: apperr.TooLarge, Message: "the file is too large", Fields: map[string]string{"file": "the file is larger than the upload limit"}}
			}
			if err != nil {
				return nil, "", apperr.Field("file", "no file in the field \"file\"")
			}
			switch part.FormName() {
			case "file":
				if name == "" {
					name = part.FileName()
				}
				return part, name, nil
			case "name":
				b, _ := io.ReadAll(io.LimitReader(part, 1200))
				name = strings.TrimSpace(string(b))
				if err := web.CheckUTF8("name", name); err != nil {
					return nil, "", err
				}
			}
		}
	}
}

// drain reads what is left of a request body (bounded by its
// MaxBytesReader) so the client hears the answer instead of a reset.
func drain(req *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(req.Body, 4*multipartSlack))
}

// SubmitInput carries the provider's note on the change.
type SubmitInput struct {
	Note string `json:"note"`
}

// submit godoc
// @Summary      Submit the pending version for review
// @Description  The authority is notified; its review is due within catalog_review_by_authority working days (Regulations on Government Data Sharing, Art. 17).
// @Tags         publishing
// @Accept       json
// @Produce      json
// @Param        id    path  string       true   "dataset id"
// @Param        body  body  SubmitInput  false  "what changed"
// @Success      200 {object} DetailJSON
// @Failure      400 {object} web.ErrorBody "incomplete entry: field-level errors"
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "nothing pending or already under review"
// @Router       /manage/datasets/{id}/submit [post]
func (h *Handler) submit(c echo.Context) error {
	a, err := h.Service.ProviderActor(authz.PrincipalFrom(c))
	if err != nil {
		return err
	}
	var in SubmitInput
	if c.Request().ContentLength != 0 {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	id := c.Param("id")
	if err := h.Service.Submit(c.Request().Context(), a, id, in.Note); err != nil {
		return err
	}
	return h.detail(c, id, http.StatusOK)
}

// review godoc
// @Summary      The authority approves or returns a submitted entry
// @Description  approve publishes the version (public catalog and search); return needs a comment and gives the provider catalog_fix_by_provider working days (Heilongjiang Interim Measures for Government Data Management, Art. 12).
// @Tags         publishing
// @Accept       json
// @Produce      json
// @Param        id        path  string       true  "dataset id"
// @Param        decision  body  ReviewInput  true  "approve | return, with comment"
// @Success      200 {object} DetailJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody "missing, or outside the authority's region"
// @Failure      409 {object} web.ErrorBody "not waiting for review"
// @Router       /manage/datasets/{id}/review [post]
func (h *Handler) review(c echo.Context) error {
	var in ReviewInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	id := c.Param("id")
	if err := h.Service.Review(c.Request().Context(), authz.PrincipalFrom(c), id, in); err != nil {
		return err
	}
	return h.detail(c, id, http.StatusOK)
}

// removeResource godoc
// @Summary      Remove a resource from an entry's pending version
// @Description  On a published entry this opens a new version; the public keeps the file until it is approved.
// @Tags         publishing
// @Param        id  path  string  true  "resource id"
// @Success      204
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody
// @Router       /manage/resources/{id} [delete]
func (h *Handler) removeResource(c echo.Context) error {
	a, err := h.Service.ProviderActor(authz.PrincipalFrom(c))
	if err != nil {
		return err
	}
	if err := h.Service.RemoveResource(c.Request().Context(), a, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// downloadResource godoc
// @Summary      Download a resource file of an entry in the console (any version)
// @Tags         publishing
// @Produce      octet-stream
// @Param        id  path  string  true  "resource id"
// @Success      200 {file} file
// @Failure      403 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Router       /manage/resources/{id}/download [get]
func (h *Handler) downloadResource(c echo.Context) error {
	f, err := h.Service.ResourceFile(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"))
	if err != nil {
		return err
	}
	defer f.Object.Close()
	r := f.Resource
	hdr := c.Response().Header()
	hdr.Set("Content-Type", r.MediaType)
	hdr.Set("Content-Disposition", web.ContentDisposition(catalog.FileName(&catalog.Resource{Name: r.Name, Format: r.Format})))
	hdr.Set("ETag", `"`+r.SHA256+`"`)
	hdr.Set("Cache-Control", "private, no-store")
	http.ServeContent(c.Response(), c.Request(), "", r.UpdatedAt, f.Object)
	return nil
}

// template godoc
// @Summary      The bulk import template (one row per entry)
// @Tags         publishing
// @Produce      octet-stream
// @Param        format  query  string  false  "csv (default) | xlsx"
// @Success      200 {file} file
// @Failure      400 {object} web.ErrorBody
// @Router       /manage/import/template [get]
func (h *Handler) template(c echo.Context) error {
	format := upload.CSV
	switch strings.ToLower(c.QueryParam("format")) {
	case "", "csv":
	case "xlsx":
		format = upload.XLSX
	default:
		return apperr.Field("format", "format must be csv or xlsx")
	}
	hdr := c.Response().Header()
	hdr.Set("Content-Type", upload.MediaTypes[format])
	hdr.Set("Content-Disposition", web.ContentDisposition("目录导入模板."+strings.ToLower(string(format))))
	hdr.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	return WriteTemplate(c.Response(), format)
}

// importCatalog godoc
// @Summary      Bulk import: create draft entries from a template file
// @Description  multipart/form-data with the file in "file" (CSV, XLSX or JSON, an array of drafts). Every row is checked; when any fails nothing is created and the errors come by row and column (rows[4].open_conditions). dry_run=true checks and previews only.
// @Tags         publishing
// @Accept       mpfd
// @Produce      json
// @Param        file     formData  file  true   "the filled-in template"
// @Param        dry_run  query     bool  false  "check only"
// @Success      200 {object} ImportResult "dry run"
// @Success      201 {object} ImportResult
// @Failure      400 {object} web.ErrorBody
// @Failure      413 {object} web.ErrorBody
// @Router       /manage/import [post]
func (h *Handler) importCatalog(c echo.Context) error {
	a, err := h.Service.ProviderActor(authz.PrincipalFrom(c))
	if err != nil {
		return err
	}
	dry := false
	switch c.QueryParam("dry_run") {
	case "", "0", "false":
	case "1", "true":
		dry = true
	default:
		return apperr.Field("dry_run", "dry_run must be true or false")
	}
	req := c.Request()
	defer drain(req)
	r, name, err := h.fileSource(c)()
	if err != nil {
		return err
	}
	f, err := h.Service.Uploads.Receive(req.Context(), r, name)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := h.Service.Import(req.Context(), a, f, dry, nil)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if dry {
		status = http.StatusOK
	}
	return web.JSON(c, status, res)
}

// history godoc
// @Summary      Change history of a public entry: every published version, newest first
// @Tags         catalog
// @Produce      json
// @Param        id  path  string  true  "dataset id"
// @Success      200 {object} catalog.ItemsJSON[HistoryJSON]
// @Failure      404 {object} web.ErrorBody
// @Router       /datasets/{id}/history [get]
func (h *Handler) history(c echo.Context) error {
	items, err := h.Service.History(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, catalog.ItemsJSON[HistoryJSON]{Items: items})
}
