package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/xuri/excelize/v2"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

// The dataset every preview test reads: 全省企业登记信息, unconditional,
// one CSV of a few thousand rows with text, number and date columns.
const (
	previewDS     = "ds-hlj-scjgj-001"
	previewRes    = "res-hlj-scjgj-001-1"
	previewCondDS = "ds-hlj-scjgj-002" // conditional, provider@'s department
)

// csvTable is a downloaded CSV: its header and records.
type csvTable struct {
	header  []string
	records [][]string
}

func downloadCSV(t *testing.T, p *apptest.Portal, resID string) csvTable {
	t.Helper()
	r := p.Get(t, "/api/v1/resources/"+resID+"/download?format=csv")
	if r.Status != 200 {
		t.Fatalf("download %s: %d", resID, r.Status)
	}
	all, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil || len(all) < 2 {
		t.Fatalf("csv of %s: %v (%d lines)", resID, err, len(all))
	}
	return csvTable{header: all[0], records: all[1:]}
}

func (c csvTable) col(name string) int {
	for i, h := range c.header {
		if h == name {
			return i
		}
	}
	return -1
}

// matching counts the records whose column equals v as the rows API
// compares it (numbers numerically).
func (c csvTable) matching(name string, v any) int {
	i, n := c.col(name), 0
	for _, rec := range c.records {
		switch x := v.(type) {
		case float64:
			if f, err := strconv.ParseFloat(rec[i], 64); err == nil && f == x {
				n++
			}
		case string:
			if rec[i] == x {
				n++
			}
		}
	}
	return n
}

// waitAPI polls an API condition (the portal profiles and scores in the
// background after it starts) for up to a minute.
func waitAPI(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// previewPortal starts a portal and waits until the background sweep has
// profiled the preview resource and scored its dataset.
func previewPortal(t *testing.T) *apptest.Portal {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	waitAPI(t, "the profile of "+previewRes, func() bool {
		return p.Get(t, "/api/v1/resources/"+previewRes+"/profile").Status == 200
	})
	waitAPI(t, "the quality of "+previewDS, func() bool {
		r := p.Get(t, "/api/v1/datasets/"+previewDS+"/quality")
		return r.Status == 200 && r.Map(t)["computed_at"] != nil
	})
	return p
}

// watchCSP records every CSP violation of the pages the browser opens.
func watchCSP(t *testing.T, b *Browser) {
	t.Helper()
	if _, err := chromedp.Call(b.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));`,
	}); err != nil {
		t.Fatal(err)
	}
}

func noCSPViolations(t *testing.T, b *Browser, where string) {
	t.Helper()
	if v := eval[[]string](t, b, `window.__csp || []`); len(v) > 0 {
		t.Errorf("%s: CSP violations: %v", where, v)
	}
}

// openPanel scrolls the resource's panel into view (it loads when seen)
// and selects one of its tabs.
func openPanel(t *testing.T, b *Browser, resID, tab string) string {
	t.Helper()
	panel := `[data-testid=resource-panel][data-id="` + resID + `"]`
	waitFor(t, b, "the resource panel", `document.querySelector('`+panel+`')`)
	eval[bool](t, b, `(document.querySelector('`+panel+` [data-testid=tab-`+tab+`]').scrollIntoView({block: 'center', behavior: 'instant'}), true)`)
	click(t, b, panel+` [data-testid=tab-`+tab+`]`)
	waitFor(t, b, tab+" panel shown", `!document.querySelector('`+panel+` [data-testid=panel-`+tab+`]').hidden`)
	return panel
}

// previewRows is the preview table's visible cells, row by row.
func previewRows(t *testing.T, b *Browser, panel string) [][]string {
	t.Helper()
	return eval[[][]string](t, b, `[...document.querySelectorAll('`+panel+` [data-testid=preview-row]')].map(tr => [...tr.cells].map(td => td.textContent))`)
}

func sameCell(got, want string) bool {
	if got == want {
		return true
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	return err1 == nil && err2 == nil && g == w
}

func selectValue(t *testing.T, b *Browser, sel, value string) {
	t.Helper()
	eval[bool](t, b, `(() => { const s = document.querySelector(`+jsString(sel)+`); s.value = `+jsString(value)+`; s.dispatchEvent(new Event('change', {bubbles: true})); return s.value === `+jsString(value)+` })()`)
}

// TestPreviewDatasetPage: on a dataset page in Chromium, under the real
// CSP, the preview shows the file's first rows exactly, filters (exact
// count), sorts and pages; the chart tab draws a line and a bar chart with
// ECharts (SVG) and the profile's exact counts; the XLSX link is a real
// workbook; the curl call copied from the page runs and returns the rows
// it promises; the quality panel shows the score GET /quality gives and
// the profile; tabs work with the keyboard; axe in Chinese and English
// and on a phone.
func TestPreviewDatasetPage(t *testing.T) {
	p := previewPortal(t)
	file := downloadCSV(t, p, previewRes)
	b := NewBrowser(t, 1280, 900)
	watchCSP(t, b)

	b.Do(t, "open the dataset", chromedp.Navigate(p.URL+"/datasets/"+previewDS))
	panel := openPanel(t, b, previewRes, "preview")
	waitFor(t, b, "50 preview rows", `document.querySelectorAll('`+panel+` [data-testid=preview-row]').length === 50`)
	rows := previewRows(t, b, panel)
	for i := 0; i < 3; i++ {
		for j, want := range file.records[i] {
			if !sameCell(rows[i][j], want) {
				t.Errorf("preview row %d column %s: %q, file has %q", i+1, file.header[j], rows[i][j], want)
			}
		}
	}
	if got := eval[string](t, b, `document.querySelector('`+panel+` [data-testid=preview-status]').dataset.total`); got != strconv.Itoa(len(file.records)) {
		t.Errorf("preview total %s, file has %d rows", got, len(file.records))
	}
	// The sortable headers are buttons in the column headers.
	if n := eval[int](t, b, `document.querySelectorAll('`+panel+` th > button[data-testid=preview-sort]').length`); n != len(file.header) {
		t.Errorf("%d sort buttons for %d columns", n, len(file.header))
	}
	b.CheckAccessibility(t, "dataset preview (zh)")
	b.Screenshot(t, "preview-table")
	// ECharts and the map come only with a chart or map tab.
	if eval[bool](t, b, `!!window.echarts || !!document.querySelector('script[data-vendor=echarts]')`) {
		t.Error("ECharts loaded before any chart tab opened")
	}

	// Filter by the first row's status: exactly the file's matching rows.
	status := file.records[0][file.col("status")]
	want := file.matching("status", status)
	selectValue(t, b, panel+` [data-testid=preview-filter-field]`, "status")
	setValue(t, b, panel+` [data-testid=preview-filter-value]`, status)
	click(t, b, panel+` [data-testid=preview-filter-apply]`)
	waitFor(t, b, "the filtered total", `document.querySelector('`+panel+` [data-testid=preview-status]').dataset.total === "`+strconv.Itoa(want)+`"`)
	statusCol := file.col("status")
	for i, r := range previewRows(t, b, panel) {
		if r[statusCol] != status {
			t.Fatalf("filtered row %d has status %q, want %q", i+1, r[statusCol], status)
		}
	}
	if !strings.Contains(textOf(t, b, panel+` [data-testid=preview-status]`), status) {
		t.Errorf("the status line does not say what is filtered: %q", textOf(t, b, panel+` [data-testid=preview-status]`))
	}
	// A number column takes only numbers, and says so.
	selectValue(t, b, panel+` [data-testid=preview-filter-field]`, "reg_capital")
	setValue(t, b, panel+` [data-testid=preview-filter-value]`, "很多")
	click(t, b, panel+` [data-testid=preview-filter-apply]`)
	waitFor(t, b, "the number error", `document.querySelector('`+panel+` .pv-filter-error:not([hidden])')`)
	click(t, b, panel+` [data-testid=preview-filter-clear]`)
	waitFor(t, b, "the whole file again", `document.querySelector('`+panel+` [data-testid=preview-status]').dataset.total === "`+strconv.Itoa(len(file.records))+`"`)

	// Sort by registered capital: ascending, then descending.
	capCol := file.col("reg_capital")
	var caps []float64
	for _, rec := range file.records {
		if f, err := strconv.ParseFloat(rec[capCol], 64); err == nil {
			caps = append(caps, f)
		}
	}
	sort.Float64s(caps)
	if len(caps) != len(file.records) {
		t.Fatalf("reg_capital has %d empty cells: pick another column to sort", len(file.records)-len(caps))
	}
	sortBtn := panel + ` [data-testid=preview-sort][data-field=reg_capital]`
	click(t, b, sortBtn)
	waitFor(t, b, "ascending", `document.querySelector('`+sortBtn+`').parentElement.getAttribute('aria-sort') === 'ascending' && document.querySelector('`+panel+` [data-testid=preview-row]')`)
	waitFor(t, b, "the smallest capital first", `Number(document.querySelector('`+panel+` [data-testid=preview-row]').cells[`+strconv.Itoa(capCol)+`].textContent) === `+strconv.FormatFloat(caps[0], 'f', -1, 64))
	click(t, b, sortBtn)
	waitFor(t, b, "the largest capital first", `document.querySelector('`+sortBtn+`').parentElement.getAttribute('aria-sort') === 'descending' && Number(document.querySelector('`+panel+` [data-testid=preview-row]').cells[`+strconv.Itoa(capCol)+`].textContent) === `+strconv.FormatFloat(caps[len(caps)-1], 'f', -1, 64))
	click(t, b, sortBtn)
	waitFor(t, b, "unsorted", `!document.querySelector('`+sortBtn+`').parentElement.hasAttribute('aria-sort')`)

	// The next page starts at row 51 of the file.
	click(t, b, panel+` [data-testid=preview-next]`)
	waitFor(t, b, "rows 51–100", `document.querySelector('`+panel+` [data-testid=preview-row]') && document.querySelector('`+panel+` [data-testid=preview-row]').cells[0].textContent === `+jsString(file.records[50][0]))
	if got := textOf(t, b, panel+` [data-testid=preview-status]`); !strings.Contains(got, "51") || !strings.Contains(got, "100") {
		t.Errorf("status on page 2: %q", got)
	}

	// Keyboard: arrow keys move between the tabs.
	b.Do(t, "focus the preview tab", chromedp.Focus(chromedp.CSS(panel+` [data-testid=tab-preview]`)))
	b.Do(t, "arrow right", chromedp.KeyEvent(kb.ArrowRight))
	waitFor(t, b, "the chart tab selected by keyboard", `document.activeElement.dataset.testid === 'tab-chart' && document.activeElement.getAttribute('aria-selected') === 'true'`)

	// Chart: the proposal is a line (a number over a date), drawn as SVG.
	openPanel(t, b, previewRes, "chart")
	box := panel + ` [data-testid=chart-box]`
	waitFor(t, b, "a line chart", `document.querySelectorAll('`+box+` svg path').length > 0`)
	if kind := eval[string](t, b, `document.querySelector('`+panel+` [data-testid=chart-kind]').value`); kind != "line" {
		t.Errorf("proposed chart %q, want line (the file has a date and a number)", kind)
	}
	if note := textOf(t, b, panel+` .pv-chart-note`); !strings.Contains(note, "1,000") && !strings.Contains(note, "1000") {
		t.Errorf("line note does not say it shows the first 1000 rows: %q", note)
	}
	b.CheckAccessibility(t, "dataset chart (zh)")
	b.Screenshot(t, "preview-line")
	// Bar chart of the status column: the profile's exact counts.
	selectValue(t, b, panel+` [data-testid=chart-kind]`, "bar")
	waitFor(t, b, "the column select", `document.querySelector('`+panel+` [data-testid=chart-column]')`)
	selectValue(t, b, panel+` [data-testid=chart-column]`, "status")
	waitFor(t, b, "bars", `document.querySelectorAll('`+box+` svg path').length > 0 && document.querySelectorAll('`+panel+` [data-testid=chart-data] tbody tr').length > 0`)
	bars := eval[[][]string](t, b, `[...document.querySelectorAll('`+panel+` [data-testid=chart-data] tbody tr')].map(tr => [tr.cells[0].textContent, tr.cells[1].textContent])`)
	counts := map[string]int{}
	for _, rec := range file.records {
		counts[rec[statusCol]]++
	}
	for _, bar := range bars {
		if n, _ := strconv.Atoi(strings.ReplaceAll(bar[1], ",", "")); n != counts[bar[0]] {
			t.Errorf("bar %s = %s, the file has %d", bar[0], bar[1], counts[bar[0]])
		}
	}
	if len(bars) != min(len(counts), 10) {
		t.Errorf("%d bars, want %d", len(bars), min(len(counts), 10))
	}
	b.Screenshot(t, "preview-bar")

	// Formats: one link each; the XLSX one is a workbook with the file's header.
	openPanel(t, b, previewRes, "formats")
	waitFor(t, b, "the format links", `document.querySelector('`+panel+` [data-testid=format-xlsx]')`)
	if href := eval[string](t, b, `document.querySelector('`+panel+` [data-testid=format-excel]').getAttribute('href')`); !strings.Contains(href, "format=csv") || !strings.Contains(href, "bom=true") {
		t.Errorf("CSV for Excel link %q", href)
	}
	if n := eval[int](t, b, `document.querySelectorAll('`+panel+` [data-testid=formats] a[download]').length`); n != 5 {
		t.Errorf("%d download links, want 5", n)
	}
	raw := Value(t, b, "fetch the XLSX link", chromedp.Evaluate[string](`fetch(document.querySelector('`+panel+` [data-testid=format-xlsx]').href).then(r => r.arrayBuffer()).then(buf => {
		const u = new Uint8Array(buf); let s = '';
		for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode(...u.subarray(i, i + 8192));
		return btoa(s);
	})`, chromedp.EvalAwaitPromise))
	xlsx, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || !bytes.HasPrefix(xlsx, []byte("PK")) {
		t.Fatalf("XLSX link: %v, starts %q", err, xlsx[:min(4, len(xlsx))])
	}
	wb, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	sheet, err := wb.GetRows(wb.GetSheetName(0))
	if err != nil || len(sheet) < 2 {
		t.Fatalf("workbook rows: %v (%d)", err, len(sheet))
	}
	if strings.Join(sheet[0], ",") != strings.Join(file.header, ",") || sheet[1][0] != file.records[0][0] {
		t.Errorf("workbook starts %v / %v, file %v / %v", sheet[0], sheet[1][0], file.header, file.records[0][0])
	}

	// API: the curl call copied from the page runs and returns what it says.
	openPanel(t, b, previewRes, "api")
	waitFor(t, b, "the curl samples", `document.querySelector('`+panel+` [data-testid=api-rows-curl] pre')`)
	curl := textOf(t, b, panel+` [data-testid=api-rows-curl] pre`)
	if !strings.HasPrefix(curl, "curl ") || !strings.Contains(curl, p.URL+"/api/v1/resources/"+previewRes+"/rows") {
		t.Fatalf("rows call %q", curl)
	}
	m := regexp.MustCompile(`filters=(\{.*\})'`).FindStringSubmatch(curl)
	if m == nil {
		t.Fatalf("rows call has no filter: %q", curl)
	}
	var filter map[string]any
	if err := json.Unmarshal([]byte(m[1]), &filter); err != nil || len(filter) != 1 {
		t.Fatalf("filter %q: %v", m[1], err)
	}
	var rowsOut struct {
		Total   int              `json:"total"`
		Records []map[string]any `json:"records"`
	}
	runShell(t, curl, &rowsOut)
	for k, v := range filter {
		if want := file.matching(k, v); want == 0 || rowsOut.Total != want || len(rowsOut.Records) != min(5, want) {
			t.Errorf("curl with %v: total %d, %d records; the file has %d", filter, rowsOut.Total, len(rowsOut.Records), want)
		}
		for _, rec := range rowsOut.Records {
			if fmt.Sprint(rec[k]) != fmt.Sprint(v) {
				t.Errorf("record %v does not match %s=%v", rec, k, v)
			}
		}
	}
	ckan := textOf(t, b, panel+` [data-testid=api-ckan-curl] pre`)
	var ckanOut struct {
		Success bool `json:"success"`
		Result  struct {
			Records []map[string]any `json:"records"`
		} `json:"result"`
	}
	runShell(t, ckan, &ckanOut)
	if !ckanOut.Success || len(ckanOut.Result.Records) == 0 {
		t.Errorf("CKAN call %q: %+v", ckan, ckanOut)
	}
	if dl := textOf(t, b, panel+` [data-testid=api-download-curl] pre`); !strings.Contains(dl, p.URL+"/api/v1/resources/"+previewRes+"/download") {
		t.Errorf("download call %q", dl)
	}
	click(t, b, panel+` [data-testid=api-lang-python]`)
	waitFor(t, b, "Python samples", `document.querySelector('`+panel+` [data-testid=api-rows-python] pre') && document.querySelector('`+panel+` [data-testid=api-rows-python] pre').textContent.includes('import requests')`)

	// Quality: the score the API gives, and the profile on demand.
	var q struct {
		Score int `json:"score"`
	}
	p.Get(t, "/api/v1/datasets/"+previewDS+"/quality").JSON(t, &q)
	waitFor(t, b, "the quality score", `document.querySelector('[data-testid=quality-score]')`)
	if got := eval[string](t, b, `document.querySelector('[data-testid=quality-score]').dataset.score`); got != strconv.Itoa(q.Score) {
		t.Errorf("quality panel shows %s, GET /quality says %d", got, q.Score)
	}
	var prof struct {
		Rows          int `json:"rows"`
		DuplicateRows int `json:"duplicate_rows"`
		Columns       []any
	}
	p.Get(t, "/api/v1/resources/"+previewRes+"/profile").JSON(t, &prof)
	details := `[data-testid=profile-details][data-id="` + previewRes + `"]`
	click(t, b, details+` summary`)
	waitFor(t, b, "the profile table", `document.querySelectorAll('`+details+` [data-testid=profile-table] tbody tr').length === `+strconv.Itoa(len(prof.Columns)))
	if got := eval[string](t, b, `document.querySelector('`+details+` [data-testid=profile-duplicates]').dataset.n`); got != strconv.Itoa(prof.DuplicateRows) {
		t.Errorf("duplicate rows %s, profile says %d", got, prof.DuplicateRows)
	}
	b.CheckAccessibility(t, "dataset API and quality (zh)")
	b.Screenshot(t, "preview-api-quality")
	noCSPViolations(t, b, "dataset page (zh)")

	// English: the same parts, translated, pass axe.
	b.Do(t, "switch to English", chromedp.Click(chromedp.CSS(`[data-testid=lang-switch]`)))
	waitFor(t, b, "English", `document.documentElement.lang === 'en' && document.querySelector('#explore-heading').textContent === 'Explore and use the data'`)
	waitFor(t, b, "the API tab kept", `document.querySelector('`+panel+` [data-testid=api-rows-python] pre')`)
	waitFor(t, b, "quality in English", `document.querySelector('#quality-heading').textContent === 'Data quality' && document.querySelector('[data-testid=quality-score]')`)
	b.CheckAccessibility(t, "dataset API and quality (en)")
	openPanel(t, b, previewRes, "chart")
	waitFor(t, b, "the chart again", `document.querySelectorAll('`+box+` svg path').length > 0`)
	openPanel(t, b, previewRes, "preview")
	waitFor(t, b, "the preview again", `document.querySelectorAll('`+panel+` [data-testid=preview-row]').length === 50`)
	b.CheckAccessibility(t, "dataset preview (en)")
	b.Screenshot(t, "preview-en")
	noCSPViolations(t, b, "dataset page (en)")

	// A phone: nothing scrolls sideways but the table inside its frame.
	phone := NewBrowser(t, 1280, 900)
	phone.Do(t, "open on a phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(p.URL+"/datasets/"+previewDS+"?lang=zh"))
	openPanel(t, phone, previewRes, "preview")
	waitFor(t, phone, "preview rows", `document.querySelectorAll('`+panel+` [data-testid=preview-row]').length === 50`)
	if w := eval[int](t, phone, "document.documentElement.scrollWidth"); w > 361 {
		t.Errorf("dataset page scrolls sideways on a phone: %d px", w)
	}
	phone.CheckAccessibility(t, "dataset preview (phone)")
	openPanel(t, phone, previewRes, "chart")
	waitFor(t, phone, "a chart on the phone", `document.querySelectorAll('`+box+` svg path').length > 0`)
	if w := eval[int](t, phone, "document.documentElement.scrollWidth"); w > 361 {
		t.Errorf("the chart makes the page %d px wide", w)
	}
	phone.Screenshot(t, "preview-phone")
}

// runShell runs a command copied from the page (curl against the test
// server) and decodes its JSON output into out.
func runShell(t *testing.T, cmd string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := exec.CommandContext(ctx, "sh", "-c", cmd).Output()
	if err != nil {
		t.Fatalf("run %q: %v", cmd, err)
	}
	if err := json.Unmarshal(got, out); err != nil {
		t.Fatalf("%q printed %.200s: %v", cmd, got, err)
	}
}

// TestPreviewMap: the map tab draws the province's 13 prefectures with
// the points of a dataset with coordinates, and counts by prefecture for
// a dataset with region codes.
func TestPreviewMap(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := NewBrowser(t, 1280, 900)
	watchCSP(t, b)

	var coord struct{ DatasetID, ResourceID string }
	p.DB.Raw(`SELECT d.id AS dataset_id, r.id AS resource_id FROM datasets d
		JOIN resources r ON r.dataset_id = d.id AND r.format = 'CSV'
		JOIN data_items i ON i.dataset_id = d.id AND i.name = 'longitude'
		WHERE d.open_type = ? AND d.status = ? ORDER BY d.id LIMIT 1`, catalog.Unconditional, catalog.StatusPublished).Scan(&coord)
	if coord.DatasetID == "" {
		t.Fatal("the small seed has no unconditional dataset with coordinates")
	}
	file := downloadCSV(t, p, coord.ResourceID)
	b.Do(t, "open "+coord.DatasetID, chromedp.Navigate(p.URL+"/datasets/"+coord.DatasetID))
	panel := openPanel(t, b, coord.ResourceID, "map")
	box := panel + ` [data-testid=map-box]`
	// 13 prefectures are 13+ paths; the points are more.
	waitFor(t, b, "the map with points", `document.querySelectorAll('`+box+` svg path').length > 13`)
	if n := eval[int](t, b, `document.querySelectorAll('`+panel+` [data-testid=map-data] tbody tr').length`); n != 13 {
		t.Errorf("the text alternative lists %d prefectures, want 13", n)
	}
	inside := eval[int](t, b, `[...document.querySelectorAll('`+panel+` [data-testid=map-data] tbody td')].reduce((n, td) => n + Number(td.textContent.replace(/,/g, '')), 0)`)
	if inside == 0 || inside > min(len(file.records), 1000) {
		t.Errorf("%d points in prefectures for a file of %d rows", inside, len(file.records))
	}
	b.CheckAccessibility(t, "map of points")
	b.Screenshot(t, "preview-map-points")

	// Region codes: the province's code table is in the whole demo catalog.
	noCSPViolations(t, b, "map of points")
	p = apptest.New(t, apptest.Options{Seed: "demo"})
	var region struct{ DatasetID, ResourceID, Name string }
	p.DB.Raw(`SELECT d.id AS dataset_id, r.id AS resource_id, i.name AS name FROM datasets d
		JOIN resources r ON r.dataset_id = d.id AND r.format = 'CSV'
		JOIN data_items i ON i.dataset_id = d.id AND i.domain = ?
		WHERE d.open_type = ? AND d.status = ? ORDER BY d.id LIMIT 1`, catalog.DomainRegionCode, catalog.Unconditional, catalog.StatusPublished).Scan(&region)
	if region.DatasetID == "" {
		t.Fatal("the demo catalog has no unconditional dataset with a region-code column")
	}
	file = downloadCSV(t, p, region.ResourceID)
	b.Do(t, "open "+region.DatasetID, chromedp.Navigate(p.URL+"/datasets/"+region.DatasetID))
	panel = openPanel(t, b, region.ResourceID, "map")
	if eval[bool](t, b, `!!document.querySelector('`+panel+` [data-testid=map-mode]')`) {
		selectValue(t, b, panel+` [data-testid=map-mode]`, "regions")
	}
	waitFor(t, b, "the choropleth", `document.querySelectorAll('`+panel+` [data-testid=map-box] svg path').length >= 13 && document.querySelectorAll('`+panel+` [data-testid=map-data] tbody tr').length === 13`)
	want := map[string]int{}
	col := file.col(region.Name)
	for i, rec := range file.records {
		if i >= 1000 {
			break
		}
		c := rec[col]
		if len(c) == 6 && strings.HasPrefix(c, "23") && c[2:4] != "00" {
			want[c[:4]+"00"]++
		}
	}
	total := eval[int](t, b, `[...document.querySelectorAll('`+panel+` [data-testid=map-data] tbody td')].reduce((n, td) => n + Number(td.textContent.replace(/,/g, '')), 0)`)
	sum := 0
	for _, n := range want {
		sum += n
	}
	if total != sum || sum == 0 {
		t.Errorf("choropleth counts %d rows, the file's codes give %d", total, sum)
	}
	b.CheckAccessibility(t, "map by prefecture")
	b.Screenshot(t, "preview-map-regions")
	noCSPViolations(t, b, "map")
}

// TestPreviewConditional: conditional data shows an invitation to apply
// instead of rows and download links; a grant holder previews only the
// approved columns.
func TestPreviewConditional(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := newAccountsBrowser(t)
	var res catalog.Resource
	if err := p.DB.Where("dataset_id = ?", previewCondDS).Order("position").First(&res).Error; err != nil {
		t.Fatal(err)
	}
	b.Do(t, "open the conditional dataset", chromedp.Navigate(p.URL+"/datasets/"+previewCondDS))
	panel := openPanel(t, b, res.ID, "preview")
	waitFor(t, b, "the apply notice", `document.querySelector('`+panel+` [data-testid=preview-locked] a[href="/apply?dataset=`+previewCondDS+`"]')`)
	openPanel(t, b, res.ID, "formats")
	waitFor(t, b, "no formats without a grant", `document.querySelector('`+panel+` [data-testid=formats-locked]')`)
	if n := eval[int](t, b, `document.querySelectorAll('`+panel+` a[download]').length`); n != 0 {
		t.Errorf("%d download links without a grant", n)
	}
	b.CheckAccessibility(t, "conditional preview (anonymous)")

	// The citizen applies for four items; the provider approves two.
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", previewCondDS).Order("position").Pluck("name", &items)
	citizen, provider := p.SignInAs(t, "citizen"), p.SignInAs(t, "provider")
	app := p.PostJSON(t, "/api/v1/applications", map[string]any{
		"dataset_id": previewCondDS, "purpose": "开展市场主体发展研究", "scenario": "区域经济统计分析", "basis": "数据使用协议",
		"data_items": []string{items[0], items[1], items[2], items[4]}, "period_start": time.Now().Format(time.DateOnly),
		"period_end": time.Now().AddDate(0, 3, 0).Format(time.DateOnly), "security_measures": "加密存储，专人专机访问", "contact": "张三 0451-12345678",
	}, citizen.Header())
	if app.Status != 201 {
		t.Fatalf("apply: %d %s", app.Status, app.Body)
	}
	approved := []string{items[0], items[2]}
	if r := p.PostJSON(t, "/api/v1/applications/"+app.Map(t)["id"].(string)+"/decision", map[string]any{"decision": "approve", "data_items": approved}, provider.Header()); r.Status != 200 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	actAs(t, b, p, "citizen", "/datasets/"+previewCondDS)
	panel = openPanel(t, b, res.ID, "preview")
	waitFor(t, b, "the holder's preview", `document.querySelectorAll('`+panel+` [data-testid=preview-row]').length > 0`)
	cols := eval[[]string](t, b, `[...document.querySelectorAll('`+panel+` [data-testid=preview-sort]')].map(b => b.dataset.field)`)
	if strings.Join(cols, ",") != strings.Join(approved, ",") {
		t.Errorf("holder previews columns %v, approved %v", cols, approved)
	}
	openPanel(t, b, res.ID, "formats")
	waitFor(t, b, "the holder's 5 download links", `document.querySelectorAll('`+panel+` [data-testid=formats] a[download]').length === 5`)
	if st := Value(t, b, "fetch the holder's XLSX", chromedp.Evaluate[int](`fetch(document.querySelector('`+panel+` [data-testid=format-xlsx]').href).then(r => r.status)`, chromedp.EvalAwaitPromise)); st != 200 {
		t.Errorf("the holder's XLSX link answers %d", st)
	}
	waitFor(t, b, "the holder's download button in the resources table", `document.querySelector('[data-testid=resource-row] [data-testid=download-link]')`)
	openPanel(t, b, res.ID, "api")
	waitFor(t, b, "samples with a token", `document.querySelector('`+panel+` [data-testid=api-rows-curl] pre') && document.querySelector('`+panel+` [data-testid=api-rows-curl] pre').textContent.includes('Authorization: Bearer $TOKEN')`)
	b.CheckAccessibility(t, "conditional preview (holder)")
}

// TestPreviewCatalogQuality: the catalog sorts by quality and filters by a
// minimum score through its controls, kept in the address, with a score
// badge on every result.
func TestPreviewCatalogQuality(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	waitAPI(t, "every entry scored", func() bool {
		var page struct {
			Items []struct {
				QualityScore int `json:"quality_score"`
			} `json:"items"`
		}
		p.Get(t, "/api/v1/datasets?sort=quality&page_size=100").JSON(t, &page)
		return len(page.Items) > 0 && page.Items[len(page.Items)-1].QualityScore > 0
	})
	b := NewBrowser(t, 1280, 900)
	b.Do(t, "open the catalog", chromedp.Navigate(p.URL+"/datasets"))
	waitFor(t, b, "results", `document.querySelectorAll('[data-testid=result-item]').length > 0`)
	selectValue(t, b, `[data-testid=sort-select]`, "quality")
	waitFor(t, b, "sort=quality in the address", `location.search.includes('sort=quality')`)
	waitFor(t, b, "sorted results", `document.querySelectorAll('[data-testid=result-item]').length > 0 && !document.querySelector('.results[aria-busy]')`)
	scores := eval[[]int](t, b, `[...document.querySelectorAll('[data-testid=result-item]')].map(li => Number((li.querySelector('[data-testid=badge-quality]') || {dataset: {score: -1}}).dataset.score))`)
	for i, s := range scores {
		if s <= 0 || i > 0 && s > scores[i-1] {
			t.Fatalf("scores by quality: %v", scores)
		}
	}

	var want struct {
		Total int `json:"total"`
	}
	p.Get(t, "/api/v1/datasets?min_quality=90").JSON(t, &want)
	selectValue(t, b, `[data-testid=min-quality-select]`, "90")
	waitFor(t, b, "min_quality=90 in the address", `location.search.includes('min_quality=90')`)
	waitFor(t, b, "the filtered count", `document.querySelector('[data-testid=result-count]').dataset.total === "`+strconv.Itoa(want.Total)+`"`)
	scores = eval[[]int](t, b, `[...document.querySelectorAll('[data-testid=badge-quality]')].map(x => Number(x.dataset.score))`)
	if len(scores) == 0 {
		t.Fatal("no result at 90 or more: the seed's scores changed?")
	}
	for _, s := range scores {
		if s < 90 {
			t.Errorf("a result of score %d under min_quality=90", s)
		}
	}
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid=chip-min-quality]').length`); n != 1 {
		t.Errorf("%d minimum-quality chips", n)
	}
	b.CheckAccessibility(t, "catalog by quality")
	b.Screenshot(t, "catalog-quality")
	// Reload: the address keeps both.
	b.Do(t, "reload", chromedp.Reload())
	waitFor(t, b, "the same state", `document.querySelector('[data-testid=min-quality-select]').value === '90' && document.querySelector('[data-testid=sort-select]').value === 'quality'`)
}
