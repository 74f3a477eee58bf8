package seed

import _ "embed"

// DefaultPolicy is the default role policy (casbin CSV: p, role, domain,
// object, action). server/authz loads it into an empty casbin_rule table;
// after that the database is the source of truth.
//
//go:embed policy.csv
var DefaultPolicy []byte
