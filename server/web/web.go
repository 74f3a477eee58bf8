// Package web builds the Echo application shell shared by every domain:
// request ids, structured request logs, recovery, body limits, security
// headers and the one JSON error shape.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/msgs"
)

// ErrorBody is the one error shape of the API:
// {"error":{"code":"not_found","message":"...","fields":{...}}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail carries the code, a message and optional per-field messages.
type ErrorDetail struct {
	Code      apperr.Code       `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// statusOf is the only place where error codes become HTTP statuses.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:      http.StatusBadRequest,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.Gone:         http.StatusGone,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.RateLimited:  http.StatusTooManyRequests,
	apperr.Unavailable:  http.StatusServiceUnavailable,
	apperr.Internal:     http.StatusInternalServerError,

	apperr.InsufficientStorage: http.StatusInsufficientStorage,
}

// codeOfStatus maps Echo's own HTTP errors (404 route, 405, 413) to codes.
func codeOfStatus(status int) apperr.Code {
	switch status {
	case http.StatusBadRequest:
		return apperr.Invalid
	case http.StatusUnauthorized:
		return apperr.Unauthorized
	case http.StatusForbidden:
		return apperr.Forbidden
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return apperr.NotFound
	case http.StatusRequestEntityTooLarge:
		return apperr.TooLarge
	case http.StatusTooManyRequests:
		return apperr.RateLimited
	case http.StatusServiceUnavailable:
		return apperr.Unavailable
	}
	if status >= 500 {
		return apperr.Internal
	}
	return apperr.Invalid
}

// Extra lets a handler attach more top-level members to an error body,
// e.g. a revoked dataset's tombstone next to "error".
type Extra interface {
	error
	ExtraBody() map[string]any
}

// Options configure the shell.
type Options struct {
	Log       *slog.Logger
	BodyLimit string // e.g. "2M" for JSON bodies; uploads set their own
	TLS       bool   // the public URL is https (PORTAL_BASE_URL): adds HSTS
	// TrustedProxies are the reverse proxies whose X-Forwarded-For (client
	// address) and X-Forwarded-Proto (HSTS) are believed. Without any, the
	// client address is the TCP peer and forwarded headers are ignored.
	TrustedProxies []netip.Prefix
	// NotFoundPage serves HTML for unknown non-API GET paths (optional).
	NotFoundPage echo.HandlerFunc
}

// New returns an Echo with the portal's middleware and error handler.
func New(o Options) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(o.Log, o.NotFoundPage)
	if len(o.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, p := range o.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(prefixNet(p)))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.Use(dropBadRequestID, middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: echo.HeaderXRequestID}))
	e.Use(requestLog(o.Log))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		o.Log.Error("panic", "err", err, "request_id", requestID(c), "stack", string(stack))
		return err
	}}))
	e.Use(SecurityHeaders(o.TLS, o.TrustedProxies...))
	if o.BodyLimit != "" {
		e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: o.BodyLimit, Skipper: func(c echo.Context) bool {
			// Global middleware runs before route middleware, so the flag
			// OwnBodyLimit sets comes too late: look the route up instead.
			return c.Get(skipBodyLimit) != nil || ownLimitRoute(c.Request().Method, c.Path())
		}}))
	}
	e.Use(RejectInvalidUTF8) // after the body limit: it reads JSON and form bodies
	return e
}

// dropBadRequestID keeps a caller's X-Request-Id (a proxy's trace id) only
// when it is a short token; anything else is replaced by a generated id so
// logs never carry caller-chosen junk.
func dropBadRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header
		if id := h.Get(echo.HeaderXRequestID); id != "" && !validRequestID(id) {
			h.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}

func validRequestID(id string) bool {
	if len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == ':') {
			return false
		}
	}
	return true
}

const skipBodyLimit = "web.skipBodyLimit"

// OwnBodyLimit marks a route (uploads) that enforces its own size limit.
// Router.Add registers routes that carry it, so the global body limit
// skips them.
func OwnBodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error { c.Set(skipBodyLimit, true); return next(c) }
}

var ownLimitRoutes sync.Map // "METHOD /path/:param" → true

func ownLimitRoute(method, path string) bool {
	_, ok := ownLimitRoutes.Load(method + " " + path)
	return ok
}

func isOwnBodyLimit(mw echo.MiddlewareFunc) bool {
	return reflect.ValueOf(mw).Pointer() == reflect.ValueOf(OwnBodyLimit).Pointer()
}

// SecurityHeaders sets the headers every response carries. The CSP allows
// no inline script: pages load only same-origin scripts (the API docs page
// too: its renderer is the portal's own module). HSTS is sent when
// the portal is served over HTTPS: tls (the public URL is https), a TLS
// connection, or X-Forwarded-Proto: https from a trusted proxy.
func SecurityHeaders(tls bool, trusted ...netip.Prefix) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if tls || IsHTTPS(c.Request(), trusted) {
				h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			// A file sent as an attachment (a download, an uploaded file) is
			// never a page of the portal: if a browser renders it anyway, it
			// runs sandboxed with nothing allowed.
			c.Response().Before(func() {
				if strings.HasPrefix(strings.ToLower(h.Get("Content-Disposition")), "attachment") {
					h.Set("Content-Security-Policy", attachmentCSP)
				}
			})
			return next(c)
		}
	}
}

// attachmentCSP is the policy of every attachment response.
const attachmentCSP = "default-src 'none'; sandbox"

// IsHTTPS reports whether the request reached the portal over HTTPS: a TLS
// connection, or a proxy in trusted that says X-Forwarded-Proto: https.
func IsHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if r.TLS != nil {
		return true
	}
	if !strings.EqualFold(strings.TrimSpace(r.Header.Get(echo.HeaderXForwardedProto)), "https") {
		return false
	}
	return fromTrusted(r, trusted)
}

// fromTrusted reports whether the TCP peer of r is one of the trusted proxies.
func fromTrusted(r *http.Request, trusted []netip.Prefix) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func prefixNet(p netip.Prefix) *net.IPNet {
	bits := p.Addr().BitLen()
	return &net.IPNet{IP: net.IP(p.Masked().Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), bits)}
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			status := c.Response().Status
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("request_id", requestID(c)),
				slog.String("method", c.Request().Method),
				slog.String("route", c.Path()),
				slog.String("path", c.Request().URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", c.Response().Size),
				slog.Duration("duration", time.Since(start)),
			)
			return nil
		}
	}
}

// StatusClientClosed is the status recorded (never read) for a request
// whose client went away first (nginx's 499).
const StatusClientClosed = 499

// clientGone reports whether err comes from the client having gone away:
// its request context was cancelled (the connection closed), which the
// database reports as context.Canceled or as its own "interrupted" error,
// or writing the answer failed with a broken pipe or a reset connection.
func clientGone(c echo.Context, err error) bool {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.Internal {
		return false // the handler chose the answer (a broken upload is a 400)
	}
	if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	return errors.Is(c.Request().Context().Err(), context.Canceled) &&
		(errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "interrupted"))
}

func errorHandler(log *slog.Logger, notFoundPage echo.HandlerFunc) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if clientGone(c, err) {
			// Nobody reads an answer and nothing failed on our side: no 500,
			// no body, and no ERROR line for an operator to chase.
			log.Info("client gone", "request_id", requestID(c), "path", c.Request().URL.Path, "err", err)
			if !c.Response().Committed {
				c.Response().WriteHeader(StatusClientClosed)
			}
			return
		}
		if c.Response().Committed {
			return
		}
		var routeErr *echo.HTTPError
		if notFoundPage != nil && errors.As(err, &routeErr) && (routeErr.Code == http.StatusNotFound || routeErr.Code == http.StatusMethodNotAllowed) && IsPageRequest(c.Request()) {
			// A reader who mistyped a page URL gets a page, not JSON.
			if perr := notFoundPage(c); perr == nil {
				return
			}
		}
		err = classify(err)
		lang := locale.FromRequest(c.Request())
		body := ErrorBody{Error: ErrorDetail{RequestID: requestID(c)}}
		status := http.StatusInternalServerError
		var ae *apperr.Error
		var he *echo.HTTPError
		switch {
		case errors.As(err, &ae):
			body.Error.Code = ae.Code
			body.Error.Message, body.Error.Fields = localizeError(lang, ae)
			status = statusOf[ae.Code]
			if status == 0 {
				status = http.StatusInternalServerError
			}
		case errors.As(err, &he):
			status = he.Code
			body.Error.Code = codeOfStatus(status)
			body.Error.Message = msgs.Text(lang, http.StatusText(status))
			if m, ok := he.Message.(string); ok && status < 500 {
				body.Error.Message = msgs.Text(lang, m)
			}
			if status == http.StatusMethodNotAllowed {
				status = http.StatusNotFound // undeclared method/route: same as missing
				body.Error.Message = msgs.Localize(lang, "not found")
			}
		default:
			body.Error.Code = apperr.Internal
		}
		if status >= 500 {
			log.Error("request failed", "request_id", body.Error.RequestID, "path", c.Request().URL.Path, "status", status, "err", err)
			switch body.Error.Code {
			case apperr.Unavailable:
				body.Error.Message = msgs.Localize(lang, "service unavailable, try again later")
			case apperr.InsufficientStorage:
				// The message was made for clients (errStorageFull).
			default:
				body.Error.Message = msgs.Localize(lang, "internal error")
			}
		}
		setLanguage(c, lang)
		if ae != nil && ae.Code == apperr.RateLimited {
			if ra := c.Response().Header().Get("Retry-After"); ra == "" {
				c.Response().Header().Set("Retry-After", strconv.Itoa(60))
			}
		}
		if status == http.StatusServiceUnavailable && c.Response().Header().Get("Retry-After") == "" {
			c.Response().Header().Set("Retry-After", strconv.Itoa(RetryAfterUnavailable))
		}
		if status >= 500 && IsPageRequest(c.Request()) {
			// A reader of a page gets a page, in its language.
			_ = writeErrorPage(c, status, body.Error.Message)
			return
		}
		var extra Extra
		if errors.As(err, &extra) {
			out := map[string]any{"error": body.Error}
			for k, v := range extra.ExtraBody() {
				out[k] = v
			}
			_ = writeJSON(c, status, out)
			return
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = writeJSON(c, status, body)
	}
}

// IsPageRequest reports whether r asks for a page (GET or HEAD outside the
// API and the assets, from a client that accepts HTML): such requests get
// HTML errors, everything else keeps the JSON error shape.
func IsPageRequest(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	if p == "/api" || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/static/") {
		return false
	}
	acc := r.Header.Get("Accept")
	return acc == "" || strings.Contains(acc, "text/html") || strings.Contains(acc, "*/*")
}

// localizeError renders an error's message and field messages in lang.
func localizeError(lang string, ae *apperr.Error) (string, map[string]string) {
	m := ae.Msg()
	msg := msgs.Localize(lang, m.Format, m.Args...)
	if len(ae.Fields) == 0 {
		return msg, nil
	}
	fields := make(map[string]string, len(ae.Fields))
	for k := range ae.Fields {
		fm := ae.FieldMsg(k)
		fields[k] = msgs.Localize(lang, fm.Format, fm.Args...)
	}
	return msg, fields
}

// setLanguage marks an error answer with the language it is written in;
// the language comes from Accept-Language unless the request names one.
func setLanguage(c echo.Context, lang string) {
	h := c.Response().Header()
	h.Set("Content-Language", locale.HTML(lang))
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Accept-Language") {
				return
			}
		}
	}
	h.Add("Vary", "Accept-Language")
}

// WriteError answers with the error shape for handlers that write an
// error themselves (to set headers of their own): the message and the
// field messages, English texts, are rendered in the reader's language.
func WriteError(c echo.Context, status int, d ErrorDetail) error {
	lang := locale.FromRequest(c.Request())
	d.Message = msgs.Text(lang, d.Message)
	if len(d.Fields) > 0 {
		fields := make(map[string]string, len(d.Fields))
		for k, v := range d.Fields {
			fields[k] = msgs.Text(lang, v)
		}
		d.Fields = fields
	}
	setLanguage(c, lang)
	if c.Request().Method == http.MethodHead {
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.NoContent(status)
	}
	return writeJSON(c, status, ErrorBody{Error: d})
}

func writeJSON(c echo.Context, status int, v any) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, v)
}
