// Package e2e drives the real pages of a real portal in headless Chromium.
package e2e

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

//go:embed testdata/axe.min.js
var axeSource string

// Browser is a headless Chromium for one test.
type Browser struct {
	Ctx         context.Context
	Screenshots string // folder the screenshots go to
}

// ChromiumPath finds Chromium: PORTAL_TEST_CHROMIUM, then /usr/bin/chromium.
// In CI a missing browser fails the test instead of skipping it.
func ChromiumPath(t testing.TB) string {
	for _, p := range []string{os.Getenv("PORTAL_TEST_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium not found: CI must run the browser tests (apt-get install chromium)")
	}
	t.Skip("Chromium not found; set PORTAL_TEST_CHROMIUM")
	return ""
}

// NewBrowser starts Chromium with the flags this closed network needs.
func NewBrowser(t testing.TB, width, height int) *Browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"), // pages follow Accept-Language: start in Chinese
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first call starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	dir := os.Getenv("PORTAL_TEST_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "portal-screenshots")
	}
	_ = os.MkdirAll(dir, 0o755)
	return &Browser{Ctx: ctx, Screenshots: dir}
}

// Do runs steps, failing the test with what was being done. Each call
// gets a minute.
func (b *Browser) Do(t testing.TB, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Value runs one action and returns its value.
func Value[T any](t testing.TB, b *Browser, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// Screenshot writes a full-page PNG and returns its path.
func (b *Browser) Screenshot(t testing.TB, name string) string {
	t.Helper()
	png := Value(t, b, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(b.Screenshots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// AxeViolation is one accessibility rule broken on a page.
type AxeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// CheckAccessibility runs axe-core on the current page and fails on any
// serious or critical violation.
func (b *Browser) CheckAccessibility(t testing.TB, page string) {
	t.Helper()
	Value(t, b, "inject axe", chromedp.Evaluate[bool](axeSource+";true"))
	raw := Value(t, b, "run axe", chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	var vs []AxeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe result: %v", err)
	}
	var bad []string
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			targets := []string{}
			for i, n := range v.Nodes {
				if i == 3 {
					break
				}
				targets = append(targets, fmt.Sprint(n.Target...))
			}
			bad = append(bad, fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", ")))
		}
	}
	if len(bad) > 0 {
		t.Errorf("axe on %s: %d serious/critical violations:\n%s", page, len(bad), strings.Join(bad, "\n"))
	}
}
