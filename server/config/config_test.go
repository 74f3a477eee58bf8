package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DBDriver != SQLite || c.Seed != "demo" || !strings.HasSuffix(c.DBConn, "/data/portal.db") {
		t.Errorf("defaults: %+v", c)
	}
}

func TestMySQLDSN(t *testing.T) {
	c, err := Load(env(map[string]string{"PORTAL_DB_DSN": "mysql://portal:s3cret@db:3306/portal"}))
	if err != nil {
		t.Fatal(err)
	}
	want := "portal:s3cret@tcp(db:3306)/portal?charset=utf8mb4&collation=utf8mb4_unicode_ci&loc=UTC&parseTime=true&timeout=5s"
	if c.DBDriver != MySQL || c.DBConn != want {
		t.Errorf("conn = %q", c.DBConn)
	}
	if c.Seed != "none" {
		t.Errorf("MySQL must default to PORTAL_SEED=none, got %s", c.Seed)
	}
	c, _ = Load(env(map[string]string{"PORTAL_DB_DSN": "sqlite:///var/lib/portal/p.db"}))
	if c.DBDriver != SQLite || c.DBConn != "/var/lib/portal/p.db" {
		t.Errorf("sqlite dsn: %+v", c)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := map[string]string{
		"PORTAL_ADDR":               "localhost",
		"PORTAL_DB_DSN":             "postgres://x",
		"PORTAL_SEED":               "maybe",
		"PORTAL_MEILI_URL":          "ftp://x",
		"PORTAL_LOG_LEVEL":          "loud",
		"PORTAL_MAX_UPLOAD_MB":      "lots",
		"PORTAL_SHUTDOWN_TIMEOUT":   "-1s",
		"PORTAL_SMTP_URL":           "mailto:x",
		"PORTAL_BASE_URL":           "portal.example",
		"PORTAL_LOGIN_MAX_FAILURES": "500",
		"PORTAL_REGISTER_PER_IP":    "-1",
		"PORTAL_REGISTER_PER_HOUR":  "many",
		"PORTAL_HASH_CONCURRENCY":   "1000",
		"PORTAL_SESSION_IDLE":       "5s",
		"PORTAL_SESSION_MAX":        "forever",
		"PORTAL_METRICS_ADDR":       "metrics",
		"PORTAL_TRUSTED_PROXIES":    "10.0.0.0/8,proxy.example",
	}
	for name, val := range cases {
		_, err := Load(env(map[string]string{name: val}))
		if err == nil || !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s=%s: err = %v", name, val, err)
		}
	}
	_, err := Load(env(map[string]string{"PORTAL_DB_DSN": "mysql://u:topsecret@h/"}))
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("bad MySQL DSN error must not leak the password: %v", err)
	}
}

func TestMetricsAddrAndTrustedProxies(t *testing.T) {
	c, err := Load(env(map[string]string{"PORTAL_METRICS_ADDR": ":9090", "PORTAL_TRUSTED_PROXIES": " 172.16.0.0/12, 127.0.0.1 ,::1,10.1.2.3/8"}))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if c.MetricsAddr != ":9090" || strings.Join(got, ",") != "172.16.0.0/12,127.0.0.1/32,::1/128,10.0.0.0/8" {
		t.Errorf("metrics %q, proxies %v", c.MetricsAddr, got)
	}
	c, _ = Load(env(nil))
	if c.MetricsAddr != "" || c.TrustedProxies != nil {
		t.Errorf("defaults: metrics %q, proxies %v", c.MetricsAddr, c.TrustedProxies)
	}
}
