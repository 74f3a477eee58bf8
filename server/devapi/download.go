package devapi

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/web"
)

// downloadParams is a validated download request.
type downloadParams struct {
	Format string // "" (the stored original) or a key of Formats
	BOM    bool
}

var downloadQuery = map[string]bool{"format": true, "json": true, "bom": true}

func parseDownloadParams(c echo.Context) (downloadParams, error) {
	var v apperr.Validation
	q := c.QueryParams()
	for name, vals := range q {
		if !downloadQuery[name] {
			v.Add(name, "unknown parameter %q", name)
		} else if len(vals) > 1 {
			v.Add(name, "%s may be given once", name)
		}
	}
	p := downloadParams{Format: strings.ToLower(q.Get("format"))}
	switch p.Format {
	case "", "csv", "json", "xlsx", "xml":
	default:
		v.Add("format", "format must be csv, json, xlsx or xml")
	}
	switch q.Get("json") {
	case "", "array":
	case "ndjson":
		if p.Format != "json" {
			v.Add("json", "json=ndjson goes with format=json")
		}
		p.Format = "ndjson"
	default:
		v.Add("json", "json must be array or ndjson")
	}
	switch strings.ToLower(q.Get("bom")) {
	case "", "false", "0":
	case "true", "1":
		if p.Format != "csv" {
			v.Add("bom", "bom=true goes with format=csv")
		}
		p.BOM = true
	default:
		v.Add("bom", "bom must be true or false")
	}
	return p, v.Err()
}

// download godoc
// @Summary      Download a resource: the stored file or a conversion
// @Description  Without `format` the stored original is sent, with Range (single and multiple ranges), ETag/If-None-Match, Last-Modified/If-Modified-Since and If-Range. With `format` the resource's table is converted on the fly (streamed, constant memory): csv (`bom=true` is the "CSV for Excel" variant: a UTF-8 byte-order mark, and every cell that starts with =, +, -, @, tab or carriage return, except a plain number such as -12.5, is prefixed with ' so spreadsheets show it as text instead of running it as a formula; without `bom` the CSV carries the published values unchanged), json (an array, or NDJSON with `json=ndjson`), xlsx, xml. Unconditional data needs no login. Conditional data needs an approved grant (session or API token): only the approved columns are sent, in every format, and the stored original is never sent.
// @Tags         developers
// @Produce      octet-stream
// @Param        id      path   string  true   "resource id"
// @Param        format  query  string  false  "csv | json | xlsx | xml"
// @Param        json    query  string  false  "array (default) | ndjson"
// @Param        bom     query  bool    false  "CSV only: CSV for Excel (UTF-8 BOM; cells starting with = + - @ tab CR, other than plain numbers, prefixed with ')"
// @Success      200 {file} file
// @Success      206 {file} file "one range, or multipart/byteranges"
// @Success      304 "not modified"
// @Failure      400 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody "conditional data needs an approved grant"
// @Failure      404 {object} web.ErrorBody
// @Failure      412 "precondition failed (If-Match, If-Unmodified-Since)"
// @Failure      416 {object} web.ErrorBody "range not satisfiable"
// @Failure      410 {object} web.ErrorBody "withdrawn (Heilongjiang Interim Measures for Government Data Management, Art. 35); earlier users keep it for the grace period"
// @Failure      429 {object} web.ErrorBody
// @Failure      503 {object} web.ErrorBody "use_not_recorded: a grant's use could not be recorded, nothing was sent (Retry-After)"
// @Router       /resources/{id}/download [get]
func (h *Handler) download(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := parseDownloadParams(c)
	if err != nil {
		return err
	}
	res, ds, err := h.S.Resource(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	scope, err := h.S.Resolve(ctx, authz.PrincipalFrom(c), ds)
	if err != nil {
		return err
	}
	original := p.Format == "" || (p.Format == strings.ToLower(res.Format) && !p.BOM)
	if original && !scope.Restricted() {
		return h.serveOriginal(c, res, scope)
	}
	if !Tabular(res) {
		if scope.Restricted() {
			// The stored original cannot be column-filtered.
			return apperr.New(apperr.Conflict, "this resource has no table that can be limited to your approved fields")
		}
		return apperr.New(apperr.Invalid, "conversions are available for tabular (CSV) resources; download the original without format")
	}
	if p.Format == "" {
		p.Format = strings.ToLower(res.Format)
	}
	return refuseUnrecorded(c, h.serveConversion(c, res, scope, p))
}

// refuseUnrecorded answers 503 with Retry-After when the data was not
// served because its use could not be recorded (000 Art 11, 28); other
// errors pass on to the error handler.
func refuseUnrecorded(c echo.Context, err error) error {
	if !IsUseNotRecorded(err) || c.Response().Committed {
		return err
	}
	hdr := c.Response().Header()
	for _, k := range []string{"ETag", "Last-Modified", "Content-Disposition", "X-Columns", "Accept-Ranges"} {
		hdr.Del(k)
	}
	hdr.Set("Retry-After", strconv.Itoa(UseRetryAfter))
	hdr.Set("Cache-Control", "no-store")
	return web.WriteError(c, http.StatusServiceUnavailable, web.ErrorDetail{
		Code: UseNotRecorded, Message: UseNotRecordedMessage, RequestID: hdr.Get(echo.HeaderXRequestID)})
}

// serveOriginal sends the stored file by id (never a path from the
// request) with ranges and conditional requests.
func (h *Handler) serveOriginal(c echo.Context, res *catalog.Resource, scope *Scope) error {
	ctx := c.Request().Context()
	obj, err := h.S.openBlob(ctx, res)
	if err != nil {
		return err
	}
	defer obj.Close()
	rep := Representation{ETag: `"` + res.SHA256 + `"`, LastModified: res.UpdatedAt}
	hdr := c.Response().Header()
	hdr.Set("ETag", rep.ETag)
	hdr.Set("Last-Modified", rep.LastModified.UTC().Format(http.TimeFormat))
	hdr.Set("Cache-Control", "public, max-age=300")
	if scope.GraceUntil != nil {
		hdr.Set("Cache-Control", "private, no-store") // withdrawn: only this caller may have it
	}
	switch Evaluate(c.Request(), rep) {
	case NotModified:
		return c.NoContent(http.StatusNotModified)
	case PreconditionFailed:
		return c.NoContent(http.StatusPreconditionFailed)
	}
	hdr.Set("Content-Type", res.MediaType)
	hdr.Set("Content-Disposition", web.ContentDisposition(catalog.FileName(res)))
	content, ok := obj.(Content)
	if !ok {
		content = readerAt{obj}
	}
	// Counted before the body goes out: a visitor's download is a number,
	// nothing about the visitor is kept.
	if c.Request().Method == http.MethodGet && countsAsDownload(c.Request(), rep, obj.Size()) {
		h.S.Counts.Download(ctx, scope.Dataset.ID)
		h.S.noteTokenUse(ctx, authz.PrincipalFrom(c), scope)
	}
	resp := c.Response()
	status, n, err := ServeRanges(&committing{resp}, c.Request(), content, obj.Size(), rep)
	resp.Size += n
	if err != nil && status != 0 {
		h.S.Log.Debug("download interrupted", "resource", res.ID, "err", err)
	}
	return nil
}

// countsAsDownload: a whole-file GET, or a ranged one that starts at byte
// 0 (download managers split a file; only its first piece is counted).
func countsAsDownload(r *http.Request, rep Representation, size int64) bool {
	rg := r.Header.Get("Range")
	if rg == "" || !IfRangeHolds(r, rep) {
		return Evaluate(r, rep) == Proceed
	}
	ranges, out := ParseRange(rg, size)
	switch out {
	case RangeIgnored:
		return true
	case RangeSatisfiable:
		return ranges[0].Start == 0
	}
	return false
}

// serveConversion streams the canonical table in the requested format,
// limited to the columns the caller may read.
func (h *Handler) serveConversion(c echo.Context, res *catalog.Resource, scope *Scope, p downloadParams) error {
	ctx := c.Request().Context()
	obj, err := h.S.openBlob(ctx, res)
	if err != nil {
		return err
	}
	defer obj.Close()
	var keep func(string) bool
	if scope.Restricted() {
		keep = scope.Allowed
	}
	tbl, err := OpenTable(obj, scope.Dataset.DataItems, keep)
	if err != nil {
		return err
	}
	names := tbl.Names()
	sum := sha256.Sum256([]byte(strings.Join(names, "\x00")))
	tag := res.SHA256[:32] + "-" + p.Format + "-" + hex.EncodeToString(sum[:6])
	if p.BOM {
		tag += "-bom"
	}
	rep := Representation{ETag: `W/"` + tag + `"`, LastModified: res.UpdatedAt}
	hdr := c.Response().Header()
	hdr.Set("ETag", rep.ETag)
	hdr.Set("Last-Modified", rep.LastModified.UTC().Format(http.TimeFormat))
	if scope.Restricted() || scope.GraceUntil != nil {
		hdr.Set("Cache-Control", "private, no-store")
	} else {
		hdr.Set("Cache-Control", "public, max-age=300")
	}
	switch Evaluate(c.Request(), rep) {
	case NotModified:
		return c.NoContent(http.StatusNotModified)
	case PreconditionFailed:
		return c.NoContent(http.StatusPreconditionFailed)
	}
	// A grant's use is recorded before the first byte leaves; without the
	// record nothing is sent (000 Art 11, 28). Rows and bytes follow.
	var useID uint64
	if c.Request().Method != http.MethodHead {
		if useID, err = h.S.startUse(ctx, scope, res.ID, p.Format, names, 0, 0); err != nil {
			return err
		}
	}
	f := Formats[p.Format]
	base := strings.TrimSuffix(catalog.FileName(res), "."+strings.ToLower(res.Format))
	hdr.Set("Content-Type", f.MediaType)
	hdr.Set("Content-Disposition", web.ContentDisposition(base+f.Ext))
	hdr.Set("Accept-Ranges", "none") // conversions are generated, not stored
	hdr.Set("X-Columns", url.QueryEscape(strings.Join(names, ",")))
	if c.Request().Method == http.MethodHead {
		return c.NoContent(http.StatusOK)
	}
	h.S.Counts.Download(ctx, scope.Dataset.ID)
	h.S.noteTokenUse(ctx, authz.PrincipalFrom(c), scope)
	resp := c.Response()
	resp.WriteHeader(http.StatusOK)
	rw, err := NewRowWriter(p.Format, resp, p.BOM)
	if err != nil {
		return err
	}
	rows, err := Convert(tbl, rw)
	h.S.completeUse(ctx, useID, rows, resp.Size)
	if err != nil {
		h.S.Log.Warn("conversion interrupted", "resource", res.ID, "format", p.Format, "err", err)
		// The status line is out: break the connection so the client sees
		// a failed transfer, never a silently truncated file.
		panic(http.ErrAbortHandler)
	}
	return nil
}

// committing lets ServeRanges write through Echo's response (so the
// status is recorded) while the body bytes go straight to the connection
// writer, which is what makes sendfile possible.
type committing struct{ r *echo.Response }

func (w *committing) Header() http.Header { return w.r.Header() }
func (w *committing) WriteHeader(code int) {
	w.r.WriteHeader(code)
}
func (w *committing) Write(b []byte) (int, error) { return w.r.Writer.Write(b) }
func (w *committing) ReadFrom(src io.Reader) (int64, error) {
	if rf, ok := w.r.Writer.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{w.r.Writer}, src)
}

// readerAt adapts a stored object without ReadAt (not the local store).
type readerAt struct{ blob.Object }

func (r readerAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(r.Object, p)
}
