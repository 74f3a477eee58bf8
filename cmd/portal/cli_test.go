package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The commands the operations issue promises.
var wantCommands = []string{"serve", "migrate", "seed", "reindex", "import", "user", "calendar", "audit", "version"}

func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func TestHelpListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errs := cli(t, args...)
		if code != exitOK || errs != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
		}
		for _, name := range wantCommands {
			if !regexp.MustCompile(`(?m)^  ` + name + `\s+\S`).MatchString(out) {
				t.Errorf("%v does not list %q:\n%s", args, name, out)
			}
		}
	}
	for _, name := range wantCommands {
		if _, ok := commands()[name]; !ok {
			t.Errorf("command %q is missing", name)
		}
	}
}

// Every command answers --help on stdout with exit 0, without touching
// configuration or the database.
func TestEveryCommandHasHelp(t *testing.T) {
	t.Setenv("PORTAL_LOG_LEVEL", "loud") // would fail with exit 2 if a --help read the config
	for name := range commands() {
		t.Run(name, func(t *testing.T) {
			code, out, errs := cli(t, name, "--help")
			if code != exitOK {
				t.Fatalf("portal %s --help: exit %d, stderr %q", name, code, errs)
			}
			if !strings.Contains(out, "Usage: portal "+name) {
				t.Errorf("portal %s --help prints no usage line:\n%s", name, out)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"version", nil, []string{"version"}, exitOK, "portal ", ""},
		{"unknown command", nil, []string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"migrate", "--nope"}, exitUsage, "", "flag provided but not defined"},
		{"extra argument", nil, []string{"reindex", "now"}, exitUsage, "", `unexpected argument "now"`},
		{"seed without a kind", nil, []string{"seed"}, exitUsage, "", "Usage: portal seed"},
		{"seed count out of range", nil, []string{"seed", "synthetic", "--count", "0"}, exitUsage, "", "--count must be"},
		{"calendar without a command", nil, []string{"calendar"}, exitUsage, "", ""},
		{"bad configuration", map[string]string{"PORTAL_LOG_LEVEL": "loud"}, []string{"migrate"}, exitUsage, "", "PORTAL_LOG_LEVEL"},
		{"migrate", nil, []string{"migrate"}, exitOK, "applied ", ""},
		{"address in use", map[string]string{"PORTAL_ADDR": busy.Addr().String()}, []string{"serve"}, exitFail, "", "listen on " + busy.Addr().String()},
		{"database unreachable", map[string]string{"PORTAL_DB_DSN": "mysql://root@127.0.0.1:1/portal"}, []string{"reindex"}, exitFail, "", "portal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("PORTAL_DATA_DIR", dir)
			t.Setenv("PORTAL_DB_DSN", "")
			t.Setenv("PORTAL_SEED", "none")
			t.Setenv("PORTAL_LOG_LEVEL", "error")
			t.Setenv("PORTAL_ADDR", "127.0.0.1:0")
			t.Setenv("PORTAL_METRICS_ADDR", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, out, errs := cli(t, tc.args...)
			if code != tc.code {
				t.Fatalf("portal %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(tc.args, " "), code, tc.code, out, errs)
			}
			if !strings.Contains(out, tc.stdout) || !strings.Contains(errs, tc.stderr) {
				t.Errorf("portal %s:\nstdout %q (want %q)\nstderr %q (want %q)", strings.Join(tc.args, " "), out, tc.stdout, errs, tc.stderr)
			}
			if code != exitOK && strings.Count(strings.TrimSpace(errs), "\n") > 20 {
				t.Errorf("error output is not a short message:\n%s", errs)
			}
		})
	}
}
