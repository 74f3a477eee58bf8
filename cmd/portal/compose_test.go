package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	composecli "github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/hlj-opendata/portal/server/config"
)

// No Docker engine runs here: the compose file is loaded with the compose
// specification's own Go loader (the one docker compose uses), with the
// secrets an operator puts in .env, and checked.

var testSecrets = map[string]string{
	"PORTAL_DB_PASSWORD":  "db-secret-1",
	"MYSQL_ROOT_PASSWORD": "root-secret-2",
	"MEILI_MASTER_KEY":    "meili-master-key-0123456789",
	"PORTAL_BASE_URL":     "https://data.example.gov.cn",
}

func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	opts, err := composecli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		composecli.WithWorkingDirectory(root), composecli.WithEnv(list), composecli.WithDiscardEnvFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return opts.LoadProject(ctx)
}

func TestComposeFile(t *testing.T) {
	p, err := loadCompose(t, testSecrets)
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	if p.Name != "hlj-opendata-portal" {
		t.Errorf("project name %q", p.Name)
	}
	want := map[string]string{"portal": "hlj-opendata/portal:", "mysql": "mysql:8.4", "meilisearch": "getmeili/meilisearch:v1."}
	if len(p.Services) != len(want) {
		t.Errorf("services %v, want %v", p.ServiceNames(), want)
	}
	for name, image := range want {
		s, err := p.GetService(name)
		if err != nil {
			t.Fatalf("service %s: %v", name, err)
		}
		if !strings.HasPrefix(s.Image, image) || strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("%s image %q, want a pinned %s…", name, s.Image, image)
		}
		hc := s.HealthCheck
		if hc == nil || hc.Disable || len(hc.Test) < 2 || hc.Interval == nil || hc.Retries == nil {
			t.Errorf("%s has no complete health check: %+v", name, hc)
		}
		if s.Restart != "unless-stopped" {
			t.Errorf("%s restart %q", name, s.Restart)
		}
		if len(s.Volumes) == 0 || s.Volumes[0].Type != types.VolumeTypeVolume {
			t.Errorf("%s keeps no data in a named volume: %+v", name, s.Volumes)
		}
		if name != "portal" && len(s.Ports) > 0 {
			t.Errorf("%s publishes ports %v: only the portal is reachable from the host", name, s.Ports)
		}
	}
	for _, v := range []string{"portal-data", "mysql-data", "meili-data"} {
		if _, ok := p.Volumes[v]; !ok {
			t.Errorf("volume %s not declared", v)
		}
	}

	portal, _ := p.GetService("portal")
	if portal.Build == nil || portal.Build.Context == "" {
		t.Fatal("portal is not built from the Dockerfile")
	}
	if b, err := os.Stat(filepath.Join(portal.Build.Context, "Dockerfile")); err != nil || b.Size() == 0 {
		t.Errorf("no Dockerfile in the build context %s", portal.Build.Context)
	}
	if len(portal.Ports) != 1 || portal.Ports[0].Target != 8080 || portal.Ports[0].HostIP != "127.0.0.1" || portal.Ports[0].Published != "8080" {
		t.Errorf("portal ports %+v: want 127.0.0.1:8080->8080 (the TLS proxy sits in front)", portal.Ports)
	}
	if !strings.Contains(strings.Join(portal.HealthCheck.Test, " "), "/readyz") {
		t.Errorf("portal health check %v does not ask /readyz", portal.HealthCheck.Test)
	}
	for _, dep := range []string{"mysql", "meilisearch"} {
		if d, ok := portal.DependsOn[dep]; !ok || d.Condition != types.ServiceConditionHealthy {
			t.Errorf("portal must wait for a healthy %s: %+v", dep, portal.DependsOn)
		}
	}
	if portal.StopGracePeriod == nil || time.Duration(*portal.StopGracePeriod) <= 30*time.Second {
		t.Errorf("stop_grace_period %v must exceed PORTAL_SHUTDOWN_TIMEOUT (30s)", portal.StopGracePeriod)
	}

	// The portal's environment is a valid configuration pointing at the
	// other services, with the same secrets they use.
	env := map[string]string{}
	for k, v := range portal.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("the portal's compose environment is not a valid configuration: %v", err)
	}
	if cfg.DBDriver != config.MySQL || !strings.Contains(cfg.DBConn, "@tcp(mysql:3306)/portal?") || !strings.HasPrefix(cfg.DBConn, "portal:db-secret-1@") {
		t.Errorf("database: %s %s", cfg.DBDriver, cfg.DBConn)
	}
	if cfg.MeiliURL != "http://meilisearch:7700" || cfg.MeiliKey != testSecrets["MEILI_MASTER_KEY"] {
		t.Errorf("meilisearch: %s key %q", cfg.MeiliURL, cfg.MeiliKey)
	}
	if cfg.Seed != "none" || cfg.DataDir != "/var/lib/portal" || cfg.BaseURL != testSecrets["PORTAL_BASE_URL"] || cfg.MetricsAddr != ":9090" || len(cfg.TrustedProxies) == 0 {
		t.Errorf("config %+v", cfg)
	}
	if portal.Volumes[0].Target != cfg.DataDir {
		t.Errorf("portal volume at %s, data dir %s", portal.Volumes[0].Target, cfg.DataDir)
	}
	mysql, _ := p.GetService("mysql")
	if pw := mysql.Environment["MYSQL_PASSWORD"]; pw == nil || *pw != testSecrets["PORTAL_DB_PASSWORD"] || *mysql.Environment["MYSQL_DATABASE"] != "portal" || *mysql.Environment["MYSQL_USER"] != "portal" {
		t.Errorf("mysql environment %v", mysql.Environment)
	}
	if !strings.Contains(strings.Join(mysql.Command, " "), "utf8mb4") {
		t.Errorf("mysql must default to utf8mb4: %v", mysql.Command)
	}
	meili, _ := p.GetService("meilisearch")
	if k := meili.Environment["MEILI_MASTER_KEY"]; k == nil || *k != cfg.MeiliKey || *meili.Environment["MEILI_ENV"] != "production" {
		t.Errorf("meilisearch environment %v", meili.Environment)
	}
}

// Without the secrets the file refuses to load instead of starting a
// database with an empty password.
func TestComposeNeedsSecrets(t *testing.T) {
	for name := range testSecrets {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range testSecrets {
				if k != name {
					env[k] = v
				}
			}
			_, err := loadCompose(t, env)
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("loading without %s: %v", name, err)
			}
		})
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, got FROM %v", froms)
	}
	for _, f := range froms {
		if !strings.Contains(f[1], ":") || strings.HasSuffix(f[1], ":latest") {
			t.Errorf("base image %s is not pinned", f[1])
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "./cmd/portal", "COPY --from=build", "HEALTHCHECK", `ENTRYPOINT ["/usr/local/bin/portal"]`, "EXPOSE 8080"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	users := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(users) == 0 || strings.HasPrefix(users[len(users)-1][1], "root") || strings.HasPrefix(users[len(users)-1][1], "0") {
		t.Errorf("the final image must run as a non-root user: %v", users)
	}
	ignore, err := os.ReadFile("../../.dockerignore")
	if err != nil || !strings.Contains(string(ignore), ".env") || !strings.Contains(string(ignore), "data") {
		t.Errorf(".dockerignore must keep .env and data/ out of the image: %v", err)
	}
}
