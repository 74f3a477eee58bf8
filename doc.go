// Package portal is the module root of the open-data portal (the binary is
// cmd/portal). It holds no code: it gives `make openapi` (swag, run from
// here) the import path of the tree it scans.
package portal
