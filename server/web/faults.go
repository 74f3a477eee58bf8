package web

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/msgs"
	"github.com/hlj-opendata/portal/server/store"
)

// RetryAfterUnavailable is the Retry-After (seconds) of a 503: a database
// restart or failover takes seconds, not minutes.
const RetryAfterUnavailable = 5

// classify turns infrastructure failures found anywhere in err's chain into
// the code they deserve, whatever layer wrapped them:
//   - a full disk (ENOSPC, SQLite or MariaDB "full") → insufficient_storage
//     (507), even under a 400 the spool gave an interrupted copy;
//   - a database that does not answer → unavailable (503), only for errors
//     not already classified: a client's own broken connection while
//     uploading stays the 400 its handler chose.
func classify(err error) error {
	if err == nil || apperr.Is(err, apperr.InsufficientStorage) || apperr.Is(err, apperr.Unavailable) {
		return err
	}
	if store.IsStorageFull(err) {
		full := *errStorageFull
		full.Err = err
		return &full
	}
	var ae *apperr.Error
	var he *echo.HTTPError
	if (!errors.As(err, &ae) || ae.Code == apperr.Internal) && !errors.As(err, &he) && store.IsUnavailable(err) {
		return &apperr.Error{Code: apperr.Unavailable, Message: "service unavailable, try again later",
			Format: "service unavailable, try again later", Err: err}
	}
	return err
}

// errStorageFull is what a client reads when the disk is full.
var errStorageFull = apperr.New(apperr.InsufficientStorage, "there is no storage space left to keep this: nothing was saved, try again later")

// writeErrorPage answers a page request that failed on the server with a
// small HTML page (no template: it must work when everything else fails).
func writeErrorPage(c echo.Context, status int, message string) error {
	lang := locale.FromRequest(c.Request())
	title := http.StatusText(status)
	body := fmt.Sprintf(`<!doctype html>
<html lang="%s"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>%s</title></head>
<body><main><h1>%s</h1><p>%s</p><p><small>%s</small></p></main></body></html>
`, html.EscapeString(locale.HTML(lang)), html.EscapeString(msgs.Text(lang, title)), html.EscapeString(msgs.Text(lang, title)),
		html.EscapeString(message), html.EscapeString(requestID(c)))
	c.Response().Header().Set("Cache-Control", "no-store")
	if c.Request().Method == http.MethodHead {
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
		return c.NoContent(status)
	}
	return c.HTMLBlob(status, []byte(body))
}
