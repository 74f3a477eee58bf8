// Package mcp serves the Model Context Protocol at POST /mcp so AI agents
// can search the catalog and read rows with the official Go SDK's
// streamable HTTP transport. It is stateless with JSON answers: every POST
// stands alone, so any replica can answer it.
//
// The tools call the very services of the REST API (catalog search, the
// rows API of server/devapi, announcements), so what a caller may see,
// the limits, the counters and the grant use records are the same.
package mcp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/devapi"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/msgs"
	"github.com/hlj-opendata/portal/server/revocations"
	"github.com/hlj-opendata/portal/server/web"
)

// Meter charges a tool call to the caller's quota (the apps service);
// family is "search" or "rows", as for the REST API.
type Meter interface {
	Charge(ctx context.Context, p *authz.Principal, family string) error
}

// Bounds of a request.
const (
	// MaxBodyBytes caps a JSON-RPC request: tool arguments are small.
	MaxBodyBytes = 64 << 10
	// DefaultTimeout bounds one request (a tool call included).
	DefaultTimeout = 30 * time.Second
)

// Handler serves /mcp.
type Handler struct {
	Catalog     *catalog.Service
	Dev         *devapi.Service
	Revocations *revocations.Service
	// Meter charges each tool call; nil: no quotas beyond the rate limit.
	Meter Meter
	// BaseURL makes download URLs absolute ("" keeps them site-relative).
	BaseURL string
	Log     *slog.Logger
	Timeout time.Duration // 0: DefaultTimeout
	Version string        // reported in initialize ("" → "1")

	http  http.Handler
	cache *sdk.SchemaCache
}

// caller is who calls and in which language errors are written.
type caller struct {
	p    *authz.Principal
	lang string
}

type callerKey struct{}

// Routes registers POST /mcp (and /api/v1/mcp). Stateless mode answers GET and DELETE with
// 405 inside the SDK; they are not mounted, so they stay unknown routes.
func (h *Handler) Routes(r *web.Router, mw ...echo.MiddlewareFunc) {
	h.cache = &sdk.SchemaCache{}
	h.http = sdk.NewStreamableHTTPHandler(func(req *http.Request) *sdk.Server {
		c, _ := req.Context().Value(callerKey{}).(caller)
		return h.server(c)
	}, &sdk.StreamableHTTPOptions{
		Stateless: true, JSONResponse: true, Logger: h.Log,
		MaxRequestBodyBytes: MaxBodyBytes, PropagateRequestCancellation: true,
		// The portal runs behind a reverse proxy on the same host, which
		// forwards the public Host: the SDK's DNS-rebinding guard would
		// refuse every request. Credentials here are bearer tokens,
		// signatures or a cookie with its CSRF token, never ambient alone.
		DisableLocalhostProtection: true,
	})
	mw = append([]echo.MiddlewareFunc{web.OwnBodyLimit}, mw...)
	r.POST("/mcp", authz.Public, h.serve, mw...)
	// The same endpoint under the API's base path, where the OpenAPI
	// document (base /api/v1) places it.
	r.POST("/api/v1/mcp", authz.Public, h.serve, mw...)
}

// serve godoc
// @Summary      Model Context Protocol endpoint for AI agents
// @Description  JSON-RPC 2.0 over the MCP streamable HTTP transport (stateless, JSON answers; send `Accept: application/json, text/event-stream`). Methods: `initialize`, `tools/list`, `tools/call`. Tools: `search_datasets`, `get_dataset`, `preview_rows`, `query_rows`, `list_departments`, `get_announcements`. Anonymous callers see public data only; a bearer token or app-key signature adds what its grants allow. The rate limits, quotas and grant use records are the REST API's. Body ≤ 64 KiB. Also served at `/mcp`.
// @Tags         developers
// @Accept       json
// @Produce      json
// @Param        body  body  object  true  "a JSON-RPC request, e.g. {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"
// @Success      200 {object} object "the JSON-RPC response"
// @Failure      400 {object} object
// @Failure      413 {object} object
// @Failure      429 {object} web.ErrorBody
// @Router       /mcp [post]
func (h *Handler) serve(c echo.Context) error {
	req := c.Request()
	ctx, cancel := context.WithTimeout(req.Context(), h.timeout())
	defer cancel()
	ctx = context.WithValue(ctx, callerKey{}, caller{p: authz.PrincipalFrom(c), lang: locale.FromRequest(req)})
	c.Response().Header().Set("Cache-Control", "no-store")
	h.http.ServeHTTP(c.Response(), req.WithContext(ctx))
	return nil
}

func (h *Handler) timeout() time.Duration {
	if h.Timeout <= 0 {
		return DefaultTimeout
	}
	return h.Timeout
}

// server builds the tool set for one request (stateless mode: one server
// per request; the schema cache keeps that cheap). The tools close over
// the caller the router identified.
func (h *Handler) server(c caller) *sdk.Server {
	v := h.Version
	if v == "" {
		v = "1"
	}
	s := sdk.NewServer(&sdk.Implementation{Name: "hlj-opendata-portal", Title: "黑龙江省公共数据开放平台", Version: v},
		&sdk.ServerOptions{SchemaCache: h.cache, Logger: h.Log,
			Instructions: "Search and read the open data catalog of Heilongjiang. 检索与读取黑龙江省公共数据开放目录。Every answer cites dataset ids, resource ids and SHA-256 checksums."})
	h.addTools(s, c)
	return s
}

// fail turns a service error into a tool error in the caller's language.
// Internal failures are logged and shown as "internal error" only.
func (h *Handler) fail(c caller, tool string, err error) error {
	if devapi.IsUseNotRecorded(err) {
		return errors.New(msgs.Text(c.lang, devapi.UseNotRecordedMessage))
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code == apperr.Internal {
		if h.Log != nil {
			h.Log.Error("mcp tool", "tool", tool, "err", err)
		}
		return errors.New(msgs.Localize(c.lang, "internal error"))
	}
	m := ae.Msg()
	text := msgs.Localize(c.lang, m.Format, m.Args...)
	for _, k := range sortedKeys(ae.Fields) {
		fm := ae.FieldMsg(k)
		if t := msgs.Localize(c.lang, fm.Format, fm.Args...); t != text {
			text += "; " + k + ": " + t
		}
	}
	return errors.New(text)
}

// charge asks the meter (when there is one) before a tool runs.
func (h *Handler) charge(ctx context.Context, c caller, family string) error {
	if h.Meter == nil {
		return nil
	}
	return h.Meter.Charge(ctx, c.p, family)
}
