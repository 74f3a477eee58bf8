package app

// This file carries the general information of the OpenAPI description;
// `make openapi` (swag) reads it together with the godoc annotations of
// every /api/v1 handler in the tree and writes openapi/swagger.{json,yaml}.

// @title           黑龙江省公共数据开放平台 API
// @version         1
// @description     The open-data portal's HTTP API. Errors always have the shape {"error":{"code","message","fields"}}.
// @description     Browser clients sign in with POST /auth/login, which sets the HttpOnly portal_session cookie and returns a CSRF token: state-changing cookie requests send it in the X-CSRF-Token header (CSRFToken below; the cookie itself is sent by the browser).
// @description     Programs use an API token (POST /me/tokens) in "Authorization: Bearer <token>" (BearerToken below) and need no CSRF token.
// @license.name    Open data terms of the portal
// @BasePath        /api/v1
// @accept          json
// @produce         json

// @securityDefinitions.apikey  CSRFToken
// @in                          header
// @name                        X-CSRF-Token
// @description                 CSRF token of the signed-in browser session (cookie portal_session), from POST /auth/login or GET /auth/csrf.

// @securityDefinitions.apikey  BearerToken
// @in                          header
// @name                        Authorization
// @description                 API token: "Bearer <token>".
