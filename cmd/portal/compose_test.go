package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
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
	"PORTAL_DB_PASSWORD":   "db-secret-1",
	"MYSQL_ROOT_PASSWORD":  "root-secret-2",
	"MEILI_MASTER_KEY":     "meili-master-key-0123456789",
	"MEILI_PORTAL_KEY_UID": "0d7b9a4e-5f1c-4e8a-9a51-3c2f6e7d8b90",
	"PORTAL_MEILI_KEY":     meiliKeyValue("meili-master-key-0123456789", "0d7b9a4e-5f1c-4e8a-9a51-3c2f6e7d8b90"),
	"PORTAL_BASE_URL":      "https://data.example.gov.cn",
}

// meiliKeyValue is how Meilisearch derives an API key's value: the hex
// HMAC-SHA256 of the key's uid under the master key (what .env.example's
// openssl line computes).
func meiliKeyValue(master, uid string) string {
	m := hmac.New(sha256.New, []byte(master))
	m.Write([]byte(uid))
	return hex.EncodeToString(m.Sum(nil))
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
	if len(p.Services) != len(want)+1 { // + the one-shot meili-key
		t.Errorf("services %v, want %v and meili-key", p.ServiceNames(), want)
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
	if d, ok := portal.DependsOn["meili-key"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
		t.Errorf("portal must wait for its Meilisearch key: %+v", portal.DependsOn)
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
	// The portal gets its own key, never the master key.
	master := testSecrets["MEILI_MASTER_KEY"]
	if cfg.MeiliURL != "http://meilisearch:7700" || cfg.MeiliKey != meiliKeyValue(master, testSecrets["MEILI_PORTAL_KEY_UID"]) {
		t.Errorf("meilisearch: %s key %q", cfg.MeiliURL, cfg.MeiliKey)
	}
	for k, v := range env {
		if strings.Contains(v, master) {
			t.Errorf("the portal's %s carries the Meilisearch master key", k)
		}
	}
	// No proxy is trusted unless the operator names it.
	if cfg.Seed != "none" || cfg.DataDir != "/var/lib/portal" || cfg.BaseURL != testSecrets["PORTAL_BASE_URL"] || cfg.MetricsAddr != ":9090" || len(cfg.TrustedProxies) != 0 {
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
	if k := meili.Environment["MEILI_MASTER_KEY"]; k == nil || *k != master || *meili.Environment["MEILI_ENV"] != "production" {
		t.Errorf("meilisearch environment %v", meili.Environment)
	}
	// meili-key: one shot, after a healthy Meilisearch, with the master
	// key and the portal key's uid and value.
	mk, err := p.GetService("meili-key")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mk.Image, "curlimages/curl:") || strings.HasSuffix(mk.Image, ":latest") || mk.Restart != "no" || len(mk.Ports) > 0 {
		t.Errorf("meili-key: image %q restart %q ports %v", mk.Image, mk.Restart, mk.Ports)
	}
	if d, ok := mk.DependsOn["meilisearch"]; !ok || d.Condition != types.ServiceConditionHealthy {
		t.Errorf("meili-key must wait for a healthy meilisearch: %+v", mk.DependsOn)
	}
	for k, want := range map[string]string{"MEILI_MASTER_KEY": master, "KEY_UID": testSecrets["MEILI_PORTAL_KEY_UID"], "KEY": cfg.MeiliKey, "INDEX": cfg.MeiliIndex, "MEILI_URL": cfg.MeiliURL} {
		if v := mk.Environment[k]; v == nil || *v != want {
			t.Errorf("meili-key %s = %v, want %q", k, v, want)
		}
	}

	// The operator names the proxy: that address only.
	withProxy := maps.Clone(testSecrets)
	withProxy["PORTAL_TRUSTED_PROXIES"] = "172.18.0.1"
	p2, err := loadCompose(t, withProxy)
	if err != nil {
		t.Fatal(err)
	}
	portal2, _ := p2.GetService("portal")
	cfg2, err := config.Load(func(k string) string {
		if v := portal2.Environment[k]; v != nil {
			return *v
		}
		return ""
	})
	if err != nil || len(cfg2.TrustedProxies) != 1 || cfg2.TrustedProxies[0].String() != "172.18.0.1/32" {
		t.Errorf("PORTAL_TRUSTED_PROXIES=172.18.0.1: %v %v", cfg2.TrustedProxies, err)
	}
}

// The meili-key script, run by sh against a stand-in for Meilisearch's
// keys API: it creates the key once (201, then 409 on a restart), reads it
// back and accepts PORTAL_MEILI_KEY only when it is that key's value.
func TestComposeMeiliKeyScript(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl is needed to run the meili-key script")
		}
		t.Skip("no curl here")
	}
	p, err := loadCompose(t, testSecrets)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := p.GetService("meili-key")
	if err != nil {
		t.Fatal(err)
	}
	if len(mk.Entrypoint) != 2 || mk.Entrypoint[0] != "/bin/sh" || len(mk.Command) != 1 {
		t.Fatalf("meili-key entrypoint %v command %v", mk.Entrypoint, mk.Command)
	}
	master, uid := testSecrets["MEILI_MASTER_KEY"], testSecrets["MEILI_PORTAL_KEY_UID"]
	var mu sync.Mutex
	var seen []string
	created := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		seen = append(seen, r.Method+" "+r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+master {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"The provided API key is invalid.","code":"invalid_api_key","type":"auth","link":""}`)
			return
		}
		switch {
		case r.Method == "POST" && r.URL.Path == "/keys":
			var got, want any
			json.Unmarshal(body, &got)
			json.Unmarshal([]byte(`{"uid":"`+uid+`","name":"portal","description":"Open data portal: search and indexing",
				"actions":["search","documents.*","indexes.*","settings.*","tasks.get","stats.get"],
				"indexes":["datasets","datasets_rebuild"],"expiresAt":null}`), &want)
			if !reflect.DeepEqual(got, want) || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("POST /keys %s (%s)", body, r.Header.Get("Content-Type"))
			}
			if created[uid] {
				w.WriteHeader(http.StatusConflict)
				io.WriteString(w, `{"message":"`+uid+` already exists.","code":"api_key_already_exists","type":"invalid_request","link":""}`)
				return
			}
			created[uid] = true
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"uid":%q,"key":%q}`, uid, meiliKeyValue(master, uid))
		case r.Method == "GET" && r.URL.Path == "/keys/"+uid && created[uid]:
			fmt.Fprintf(w, `{"name":"portal","uid":%q,"key":%q,"actions":["search"],"indexes":["datasets"],"expiresAt":null}`, uid, meiliKeyValue(master, uid))
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"not found","code":"api_key_not_found","type":"invalid_request","link":""}`)
		}
	}))
	defer srv.Close()
	run := func(key string) (string, error) {
		cmd := exec.Command("/bin/sh", append(mk.Entrypoint[1:], mk.Command[0])...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "MEILI_URL=" + srv.URL}
		for k, v := range mk.Environment {
			if v != nil && k != "MEILI_URL" {
				cmd.Env = append(cmd.Env, k+"="+*v)
			}
		}
		if key != "" {
			cmd.Env = append(cmd.Env, "KEY="+key)
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for i := 0; i < 2; i++ { // first start, then a restart
		if out, err := run(""); err != nil || !strings.Contains(out, "in place") {
			t.Fatalf("run %d: %v\n%s", i, err, out)
		}
	}
	if want := []string{"POST /keys", "GET /keys/" + uid, "POST /keys", "GET /keys/" + uid}; !slices.Equal(seen, want) {
		t.Errorf("requests %v, want %v", seen, want)
	}
	// A PORTAL_MEILI_KEY that is not the key's value stops the stack.
	if out, err := run(meiliKeyValue("another-master-key-0123", uid)); err == nil || !strings.Contains(out, "PORTAL_MEILI_KEY is not the value") {
		t.Errorf("wrong key accepted: %v\n%s", err, out)
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
