package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
)

// DecodeJSON reads a JSON object body into dst. The body size is already
// capped by the BodyLimit middleware; a malformed body or a wrong type is
// an Invalid error naming the field.
func DecodeJSON(c echo.Context, dst any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, _ := mime.ParseMediaType(ct); ct != "" && mt != echo.MIMEApplicationJSON {
		return apperr.New(apperr.Invalid, "request body must be application/json")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return apperr.New(apperr.TooLarge, "request body too large")
		case errors.Is(err, io.EOF):
			return apperr.New(apperr.Invalid, "request body is empty")
		case errors.As(err, &te):
			e := apperr.New(apperr.Invalid, "wrong type for field %q", te.Field)
			e.Fields = map[string]string{te.Field: "wrong type, want " + te.Type.String()}
			return e
		case errors.As(err, &se):
			return apperr.New(apperr.Invalid, "malformed JSON at byte %d", se.Offset)
		default:
			if strings.Contains(err.Error(), "request body too large") {
				return apperr.New(apperr.TooLarge, "request body too large")
			}
			return apperr.New(apperr.Invalid, "malformed JSON body")
		}
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "request body must hold one JSON value")
	}
	return nil
}

// PathID reads a numeric :id path parameter (≥ 1). Anything else names no
// object, so the caller's notFound error is returned: a malformed id looks
// exactly like a missing one.
func PathID(c echo.Context, notFound error) (uint64, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil || id == 0 {
		return 0, notFound
	}
	return id, nil
}

// QueryInt reads an integer query parameter within [min,max]; def when absent.
func QueryInt(c echo.Context, name string, def, min, max int) (int, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		e := apperr.New(apperr.Invalid, "%s must be a whole number from %d to %d", name, min, max)
		e.Fields = map[string]string{name: e.Message}
		return 0, e
	}
	return n, nil
}

// Paging reads the query's page (from 1 to maxPage, default 1) and
// page_size (1–100, default 20).
func Paging(c echo.Context, maxPage int) (page, size int, err error) {
	if page, err = QueryInt(c, "page", 1, 1, maxPage); err != nil {
		return 0, 0, err
	}
	if size, err = QueryInt(c, "page_size", 20, 1, 100); err != nil {
		return 0, 0, err
	}
	return page, size, nil
}

// JSON writes a success body; API answers are never cached by proxies
// unless a handler says otherwise.
func JSON(c echo.Context, status int, v any) error {
	if c.Response().Header().Get("Cache-Control") == "" {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return c.JSON(status, v)
}
