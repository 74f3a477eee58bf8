package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/store"
)

func runCLI(t *testing.T, in string, args ...string) (int, string, string) {
	t.Helper()
	stdin = strings.NewReader(in)
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestUserAndAuditCommands creates accounts from the command line, then
// verifies the audit trail, tampers with it and sees verify fail.
func TestUserAndAuditCommands(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("PORTAL_DATA_DIR", dir)
			t.Setenv("PORTAL_LOG_LEVEL", "error")
			t.Setenv("PORTAL_DB_DSN", "sqlite://"+filepath.Join(dir, "portal.db"))
			if engine == "mysql" {
				t.Setenv("PORTAL_DB_DSN", apptest.NewMySQLDatabase(t))
			}
			if code, out, _ := runCLI(t, "", "user", "--help"); code != 0 || !strings.Contains(out, "set-password") {
				t.Fatalf("user --help: %d %s", code, out)
			}
			if code, out, _ := runCLI(t, "", "user", "create", "--help"); code != 0 || !strings.Contains(out, "-password-stdin") {
				t.Fatalf("user create --help: %d %s", code, out)
			}
			if code, _, errs := runCLI(t, "", "user", "create", "--email", "x@example.cn"); code != exitUsage || !strings.Contains(errs, "required") {
				t.Fatalf("missing flags: %d %s", code, errs)
			}
			code, out, errs := runCLI(t, "", "user", "create", "--email", "Admin@Example.gov.cn", "--name", "管理员", "--role", "admin")
			if code != 0 {
				t.Fatalf("create admin: %d %s %s", code, out, errs)
			}
			m := regexp.MustCompile(`password \(shown once\): (\S+)`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no generated password in %q", out)
			}
			cfg, err := config.FromEnv()
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close(db)
			var u accounts.User
			if err := db.Where("email = ?", "admin@example.gov.cn").Take(&u).Error; err != nil || !accounts.CheckPassword(u.PasswordHash, m[1]) {
				t.Fatalf("admin account: %v", err)
			}
			if err := db.Exec("INSERT INTO departments (id, name, region_level, region, parent_id, created_at) VALUES ('hlj-test', '黑龙江省测试厅', 'province', '黑龙江省', '', ?)", u.CreatedAt).Error; err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name, in string
				args     []string
				code     int
				want     string
			}{
				{"provider", "Provider-password-77\n", []string{"user", "create", "--email", "li@example.gov.cn", "--name", "李四", "--role", "provider", "--department", "hlj-test", "--password-stdin"}, 0, "provider in dept:hlj-test"},
				{"provider without department", "", []string{"user", "create", "--email", "w@example.gov.cn", "--name", "王五", "--role", "provider"}, 1, "department_id"},
				{"unknown department", "", []string{"user", "create", "--email", "w@example.gov.cn", "--name", "王五", "--role", "provider", "--department", "nope"}, 1, "no department"},
				{"weak password", "password1234\n", []string{"user", "create", "--email", "w@example.gov.cn", "--name", "王五", "--role", "province", "--password-stdin"}, 1, "too common"},
				{"duplicate", "", []string{"user", "create", "--email", "li@example.gov.cn", "--name", "李四", "--role", "admin"}, 1, "exists"},
				{"authority by department", "", []string{"user", "create", "--email", "zhao@example.gov.cn", "--name", "赵六", "--role", "authority", "--department", "hlj-test"}, 0, "authority in region:黑龙江省"},
				{"set roles", "", []string{"user", "set-roles", "--email", "li@example.gov.cn", "--role", "provider,province"}, 0, "province"},
				{"list", "", []string{"user", "list", "--role", "provider"}, 0, "li@example.gov.cn"},
				{"set password", "New-provider-pass-88\n", []string{"user", "set-password", "--email", "li@example.gov.cn", "--password-stdin"}, 0, "sessions ended"},
				{"set password, unknown", "", []string{"user", "set-password", "--email", "nobody@example.gov.cn"}, 1, "no account"},
				{"audit verify", "", []string{"audit", "verify"}, 0, "audit trail OK: "},
			}
			for _, tc := range tests {
				code, out, errs := runCLI(t, tc.in, tc.args...)
				if code != tc.code || !strings.Contains(out+errs, tc.want) {
					t.Errorf("%s: exit %d (want %d), output %q %q, want %q", tc.name, code, tc.code, out, errs, tc.want)
				}
			}
			var li accounts.User
			if err := db.Where("email = ?", "li@example.gov.cn").Take(&li).Error; err != nil || !accounts.CheckPassword(li.PasswordHash, "New-provider-pass-88") {
				t.Fatalf("set-password did not apply: %v", err)
			}
			if err := db.Exec("UPDATE audit_entries SET details = '{}' WHERE seq = 2").Error; err != nil {
				t.Fatal(err)
			}
			code, out, _ = runCLI(t, "", "audit", "verify")
			if code != 1 || !strings.Contains(out, "BROKEN at entry 2") {
				t.Fatalf("tampered trail: %d %q", code, out)
			}
		})
	}
}
