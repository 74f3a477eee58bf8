package config

import (
	"strings"
	"testing"
)

func TestMetricsToken(t *testing.T) {
	c, err := Load(env(map[string]string{}))
	if err != nil || c.MetricsToken != "" {
		t.Fatalf("default token %q: %v", c.MetricsToken, err)
	}
	tok := "0123456789abcdef0123456789abcdef"
	if c, err = Load(env(map[string]string{"PORTAL_METRICS_TOKEN": " " + tok + " "})); err != nil || c.MetricsToken != tok {
		t.Errorf("token %q: %v", c.MetricsToken, err)
	}
	for _, bad := range []string{"short", "0123456789abcdef 0123", "0123456789abcdef\x01", "0123456789abcdef令牌"} {
		_, err := Load(env(map[string]string{"PORTAL_METRICS_TOKEN": bad}))
		if err == nil || !strings.Contains(err.Error(), "PORTAL_METRICS_TOKEN") || strings.Contains(err.Error(), bad) {
			t.Errorf("%q: %v (the error names the variable, never the value)", bad, err)
		}
	}
}
