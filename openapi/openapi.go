// Package openapi holds the OpenAPI (Swagger 2.0) description of the
// portal's /api/v1, generated from the handlers' swag annotations by
// `make openapi` (swagger.json, swagger.yaml; never edit them by hand).
// `make openapi-check` fails when they drift from the annotations.
package openapi

import _ "embed"

// JSON is openapi/swagger.json.
//
//go:embed swagger.json
var JSON []byte

// YAML is openapi/swagger.yaml.
//
//go:embed swagger.yaml
var YAML []byte
