package mcp_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/authz"
	portalmcp "github.com/hlj-opendata/portal/server/mcp"
	"github.com/hlj-opendata/portal/server/web"
)

// countingMeter records each charge and refuses once a family's quota is spent.
type countingMeter struct {
	mu    sync.Mutex
	calls map[string]int
	quota int
}

func (m *countingMeter) Charge(_ context.Context, _ *authz.Principal, family string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[family]++
	if m.calls[family] > m.quota {
		return apperr.New(apperr.RateLimited, "rate limit exceeded")
	}
	return nil
}

// Each tool call is charged to its family ("search" or "rows"); a spent
// quota is a tool error and the tool does not run.
func TestMCPMeter(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true})
	m := &countingMeter{calls: map[string]int{}, quota: 5}
	r := web.NewRouter(web.New(web.Options{Log: p.Log}), authz.Guard(p.Accounts, p.Policy))
	(&portalmcp.Handler{Catalog: p.Catalog, Dev: p.Dev, Revocations: p.Revocations, Meter: m, Log: p.Log}).Routes(r)
	srv := httptest.NewServer(r.Echo())
	t.Cleanup(srv.Close)
	c := sdk.NewClient(&sdk.Implementation{Name: "meter-test", Version: "1"}, nil)
	s, err := c.Connect(context.Background(), &sdk.StreamableClientTransport{Endpoint: srv.URL + "/mcp", MaxRetries: -1, DisableStandaloneSSE: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"search_datasets", map[string]any{"query": "企业"}}, {"get_dataset", map[string]any{"id": uncondDS}},
		{"list_departments", map[string]any{}}, {"get_announcements", map[string]any{}},
		{"preview_rows", map[string]any{"resource_id": uncondRes}}, {"query_rows", map[string]any{"resource_id": uncondRes, "limit": 1}},
	} {
		if res := call(t, s, tc.tool, tc.args, nil); res.IsError {
			t.Fatalf("%s: %s", tc.tool, text(res))
		}
	}
	if m.calls["search"] != 4 || m.calls["rows"] != 2 {
		t.Fatalf("charges %v, want search 4 rows 2", m.calls)
	}
	// tools/list is not a tool call: not charged.
	if _, err := s.ListTools(context.Background(), nil); err != nil || m.calls["search"] != 4 {
		t.Fatalf("tools/list: %v, charges %v", err, m.calls)
	}
	m.quota = 2
	res := call(t, s, "query_rows", map[string]any{"resource_id": uncondRes}, nil)
	if !res.IsError || !strings.Contains(text(res), "限") && !strings.Contains(text(res), "rate limit") {
		t.Errorf("over quota: error %v %q", res.IsError, text(res))
	}
}
