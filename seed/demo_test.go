package seed

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var (
	demoSlugRE     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	demoItemNameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	demoHasHan     = regexp.MustCompile(`\p{Han}`)
)

// renderAll renders every resource of the catalog and returns a hash per
// resource id.
func demoRenderAll(t testing.TB, cat Catalog) map[string][32]byte {
	out := map[string][32]byte{}
	var buf bytes.Buffer
	for _, d := range cat.Datasets {
		for _, r := range d.Resources {
			buf.Reset()
			if err := r.Write(&buf); err != nil {
				t.Fatalf("%s: %v", r.ID, err)
			}
			out[r.ID] = sha256.Sum256(buf.Bytes())
		}
	}
	return out
}

func TestDemoDeterministic(t *testing.T) {
	a, b := Demo(), Demo()
	if len(a.Datasets) != len(b.Datasets) {
		t.Fatalf("dataset counts differ: %d vs %d", len(a.Datasets), len(b.Datasets))
	}
	for i := range a.Datasets {
		x, y := a.Datasets[i], b.Datasets[i]
		x.Resources, y.Resources = nil, nil
		if !demoEqualDataset(x, y) {
			t.Fatalf("dataset %d differs between calls:\n%+v\n%+v", i, x, y)
		}
	}
	ha, hb := demoRenderAll(t, a), demoRenderAll(t, b)
	if len(ha) != len(hb) {
		t.Fatalf("resource counts differ")
	}
	for id, h := range ha {
		if hb[id] != h {
			t.Errorf("resource %s renders differently on two calls", id)
		}
	}
	// Rendering twice from the same Resource gives the same bytes too.
	r := a.Datasets[0].Resources[0]
	var b1, b2 bytes.Buffer
	if err := r.Write(&b1); err != nil {
		t.Fatal(err)
	}
	if err := r.Write(&b2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Error("two renders of one resource differ")
	}
}

func demoEqualDataset(x, y Dataset) bool {
	return x.ID == y.ID && x.Title == y.Title && x.Description == y.Description && x.DepartmentID == y.DepartmentID &&
		x.TopicCode == y.TopicCode && x.OpenType == y.OpenType && x.OpenConditions == y.OpenConditions &&
		x.NotOpenReason == y.NotOpenReason && x.UpdateFrequency == y.UpdateFrequency && x.Classification == y.Classification &&
		x.Grade == y.Grade && slices.Equal(x.Tags, y.Tags) && x.Region == y.Region && x.UsageScope == y.UsageScope &&
		slices.Equal(x.DataItems, y.DataItems) && x.PublishedAt.Equal(y.PublishedAt) && x.UpdatedAt.Equal(y.UpdatedAt) &&
		x.Downloads == y.Downloads && x.ResourceCode == y.ResourceCode && x.ShareType == y.ShareType &&
		x.ShareConditions == y.ShareConditions && x.ShareMethod == y.ShareMethod && slices.Equal(x.Formats, y.Formats)
}

func TestDemoCoverage(t *testing.T) {
	cat := Demo()

	// Departments.
	if len(cat.Departments) < 22 {
		t.Errorf("%d departments, want ≥ 22", len(cat.Departments))
	}
	depIDs := map[string]Department{}
	levels := map[string]int{}
	for _, d := range cat.Departments {
		if !demoSlugRE.MatchString(d.ID) {
			t.Errorf("department id %q is not an ASCII slug", d.ID)
		}
		if _, dup := depIDs[d.ID]; dup {
			t.Errorf("duplicate department id %s", d.ID)
		}
		depIDs[d.ID] = d
		levels[d.RegionLevel]++
		switch d.RegionLevel {
		case "province":
			if d.Region != "黑龙江省" || !strings.Contains(d.Name, "黑龙江省") {
				t.Errorf("province department %+v", d)
			}
		case "city":
			if !strings.HasPrefix(d.Name, d.Region) || !strings.HasSuffix(d.Region, "市") {
				t.Errorf("city department %+v", d)
			}
		default:
			t.Errorf("department %s: region level %q", d.ID, d.RegionLevel)
		}
	}
	if levels["province"] < 12 || levels["city"] < 6 {
		t.Errorf("levels %v", levels)
	}
	for _, id := range []string{DemoProviderDepartment, DemoProvider2Department} {
		if _, ok := depIDs[id]; !ok {
			t.Errorf("demo provider department %s missing", id)
		}
	}
	if depIDs[DemoProviderDepartment].Name != "黑龙江省市场监督管理局" || depIDs[DemoProvider2Department].Name != "哈尔滨市交通运输局" {
		t.Errorf("provider departments: %+v %+v", depIDs[DemoProviderDepartment], depIDs[DemoProvider2Department])
	}

	// Topics.
	if len(cat.Topics) < 12 {
		t.Errorf("%d topics, want ≥ 12", len(cat.Topics))
	}
	topics := map[string]bool{}
	for _, tp := range cat.Topics {
		if !demoSlugRE.MatchString(tp.Code) || tp.Name == "" || tp.NameEN == "" {
			t.Errorf("topic %+v", tp)
		}
		topics[tp.Code] = true
	}

	// Datasets.
	if len(cat.Datasets) < 320 {
		t.Errorf("%d datasets, want ≥ 320", len(cat.Datasets))
	}
	ids, titles, resIDs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	perDept, perTopic, perOpen := map[string]int{}, map[string]int{}, map[string]int{}
	condPerDept := map[string]int{}
	freqs := map[string]bool{"realtime": true, "daily": true, "weekly": true, "monthly": true, "quarterly": true, "yearly": true, "irregular": true}
	types := map[string]bool{"string": true, "integer": true, "number": true, "date": true, "datetime": true, "boolean": true}
	lo := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	hi := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	multiRes := 0
	for _, d := range cat.Datasets {
		if ids[d.ID] {
			t.Errorf("duplicate dataset id %s", d.ID)
		}
		ids[d.ID] = true
		if titles[d.Title] {
			t.Errorf("duplicate title %s", d.Title)
		}
		titles[d.Title] = true
		if !strings.HasPrefix(d.ID, "ds-") || !demoSlugRE.MatchString(d.ID) {
			t.Errorf("dataset id %q", d.ID)
		}
		if _, ok := depIDs[d.DepartmentID]; !ok {
			t.Errorf("%s: unknown department %s", d.ID, d.DepartmentID)
		}
		if !topics[d.TopicCode] {
			t.Errorf("%s: unknown topic %s", d.ID, d.TopicCode)
		}
		perDept[d.DepartmentID]++
		perTopic[d.TopicCode]++
		perOpen[d.OpenType]++
		if !demoHasHan.MatchString(d.Title) || !demoHasHan.MatchString(d.Description) || d.Description == d.Title {
			t.Errorf("%s: title/description %q / %q", d.ID, d.Title, d.Description)
		}
		if dep := depIDs[d.DepartmentID]; d.Region != dep.Region || !strings.Contains(d.Description, dep.Name) {
			t.Errorf("%s: region %s / description does not match department %s", d.ID, d.Region, dep.Name)
		}
		switch d.OpenType {
		case "unconditional":
			if d.OpenConditions != "" || d.NotOpenReason != "" || d.UsageScope != "" {
				t.Errorf("%s: unconditional with conditions", d.ID)
			}
			if d.Grade != "L1" && d.Grade != "L2" {
				t.Errorf("%s: unconditional grade %s", d.ID, d.Grade)
			}
		case "conditional":
			condPerDept[d.DepartmentID]++
			if len([]rune(d.OpenConditions)) < 20 || d.UsageScope == "" || d.NotOpenReason != "" {
				t.Errorf("%s: conditional without conditions/usage scope", d.ID)
			}
			if d.Grade != "L2" && d.Grade != "L3" {
				t.Errorf("%s: conditional grade %s", d.ID, d.Grade)
			}
		case "not_open":
			if d.NotOpenReason == "" || d.OpenConditions != "" {
				t.Errorf("%s: not_open without reason", d.ID)
			}
			if d.Grade != "L4" || d.Downloads != 0 {
				t.Errorf("%s: not_open grade %s downloads %d", d.ID, d.Grade, d.Downloads)
			}
		default:
			t.Errorf("%s: open type %q", d.ID, d.OpenType)
		}
		if !freqs[d.UpdateFrequency] {
			t.Errorf("%s: frequency %q", d.ID, d.UpdateFrequency)
		}
		if d.Classification == "" {
			t.Errorf("%s: no classification", d.ID)
		}
		if len(d.Tags) < 2 || len(d.Tags) > 5 {
			t.Errorf("%s: %d tags", d.ID, len(d.Tags))
		}
		for _, tag := range d.Tags {
			if !demoHasHan.MatchString(tag) && tag != "GDP" && tag != "CPI" && tag != "AQI" && tag != "PM2.5" {
				t.Errorf("%s: tag %q", d.ID, tag)
			}
		}
		if d.PublishedAt.Before(lo) || !d.UpdatedAt.Before(hi) || d.UpdatedAt.Before(d.PublishedAt) {
			t.Errorf("%s: dates %s %s", d.ID, d.PublishedAt, d.UpdatedAt)
		}
		if d.Downloads < 0 || d.Downloads > 50000 {
			t.Errorf("%s: downloads %d", d.ID, d.Downloads)
		}
		if len(d.DataItems) < 5 {
			t.Errorf("%s: %d data items", d.ID, len(d.DataItems))
		}
		names := map[string]bool{}
		for _, it := range d.DataItems {
			if !demoItemNameRE.MatchString(it.Name) || names[it.Name] {
				t.Errorf("%s: data item name %q", d.ID, it.Name)
			}
			names[it.Name] = true
			if !types[it.Type] || !demoHasHan.MatchString(it.Label) || it.Description == "" {
				t.Errorf("%s: data item %+v", d.ID, it)
			}
		}
		if len(d.Resources) == 0 {
			t.Errorf("%s: no resources", d.ID)
		}
		if len(d.Resources) > 1 {
			multiRes++
		}
		for k, r := range d.Resources {
			want := "res-" + strings.TrimPrefix(d.ID, "ds-") + "-" + strconv.Itoa(k+1)
			if r.ID != want || resIDs[r.ID] {
				t.Errorf("%s: resource id %q, want %q (unique)", d.ID, r.ID, want)
			}
			resIDs[r.ID] = true
			if r.Format != "CSV" || r.Name == "" || r.Write == nil {
				t.Errorf("%s: resource %+v", d.ID, r)
			}
			if r.Rows < 50 || r.Rows > 5000 {
				t.Errorf("%s: %d rows", r.ID, r.Rows)
			}
		}
	}
	for _, dep := range cat.Departments {
		if perDept[dep.ID] < 8 {
			t.Errorf("department %s has %d datasets, want ≥ 8", dep.ID, perDept[dep.ID])
		}
	}
	for code := range topics {
		if perTopic[code] == 0 {
			t.Errorf("topic %s has no datasets", code)
		}
	}
	share := float64(perOpen["conditional"]) / float64(len(cat.Datasets))
	if share < 0.2 || share > 0.3 {
		t.Errorf("conditional share %.2f, want about a quarter", share)
	}
	if perOpen["not_open"] < 6 {
		t.Errorf("%d not_open datasets, want ≥ 6", perOpen["not_open"])
	}
	if condPerDept[DemoProviderDepartment] < 3 || condPerDept[DemoProvider2Department] < 2 {
		t.Errorf("conditional datasets: provider %d, provider 2 %d", condPerDept[DemoProviderDepartment], condPerDept[DemoProvider2Department])
	}
	if multiRes < 5 {
		t.Errorf("only %d datasets have several resources", multiRes)
	}

	// Required titles.
	byTitle := map[string]Dataset{}
	for _, d := range cat.Datasets {
		byTitle[d.Title] = d
	}
	for title, dep := range map[string]string{"全省企业登记信息": "hlj-scjgj", "哈尔滨市公交线路信息": "hrb-jtysj", "哈尔滨市公交站点信息": "hrb-jtysj"} {
		d, ok := byTitle[title]
		if !ok {
			t.Errorf("missing dataset %s", title)
			continue
		}
		if d.DepartmentID != dep || d.OpenType != "unconditional" {
			t.Errorf("%s: department %s, open type %s", title, d.DepartmentID, d.OpenType)
		}
	}
	mentions := 0
	for title := range titles {
		if strings.Contains(title, "企业") && !strings.Contains(title, "企业登记") {
			mentions++
		}
	}
	if mentions < 5 || byTitle["全省企业年报公示信息"].ID == "" {
		t.Errorf("%d titles mention 企业 without 企业登记", mentions)
	}

	// The first 60 datasets (apptest's small seed) are varied.
	first := cat.Datasets[:60]
	deps, opens := map[string]bool{}, map[string]bool{}
	for _, d := range first {
		deps[d.DepartmentID] = true
		opens[d.OpenType] = true
	}
	if len(deps) < 20 || len(opens) != 3 {
		t.Errorf("first 60: %d departments, open types %v", len(deps), opens)
	}
	t.Logf("%d departments, %d topics, %d datasets %v, %d resources", len(cat.Departments), len(cat.Topics), len(cat.Datasets), perOpen, len(resIDs))
}

// TestDemoResources renders every resource and checks it value by value.
func TestDemoResources(t *testing.T) {
	cat := Demo()
	var buf bytes.Buffer
	totalRows, totalBytes := 0, 0
	start := time.Now()
	for _, d := range cat.Datasets {
		for _, r := range d.Resources {
			buf.Reset()
			if err := r.Write(&buf); err != nil {
				t.Fatalf("%s: %v", r.ID, err)
			}
			totalBytes += buf.Len()
			totalRows += r.Rows
			demoCheckCSV(t, d, r, buf.Bytes())
		}
	}
	t.Logf("rendered and checked %d rows, %.1f MB in %s", totalRows, float64(totalBytes)/1e6, time.Since(start).Round(time.Millisecond))
}

func demoCheckCSV(t *testing.T, d Dataset, r Resource, data []byte) {
	t.Helper()
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.Errorf("%s: BOM", r.ID)
	}
	if !utf8.Valid(data) {
		t.Errorf("%s: not UTF-8", r.ID)
		return
	}
	if n := bytes.Count(data, []byte("\n")); n != r.Rows+1 {
		t.Errorf("%s: %d lines, want %d rows + header", r.ID, n, r.Rows)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	header, err := cr.Read()
	if err != nil {
		t.Errorf("%s: header: %v", r.ID, err)
		return
	}
	want := make([]string, len(d.DataItems))
	for i, it := range d.DataItems {
		want[i] = it.Name
	}
	if !slices.Equal(header, want) {
		t.Errorf("%s: header %v, want %v", r.ID, header, want)
	}
	rows := 0
	errs := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("%s: row %d: %v", r.ID, rows+1, err)
			return
		}
		rows++
		for i, it := range d.DataItems {
			if msg := demoCheckValue(it, rec[i]); msg != "" {
				if errs < 3 {
					t.Errorf("%s row %d %s (%s): %q %s", r.ID, rows, it.Name, it.Type, rec[i], msg)
				}
				errs++
			}
			if strings.HasSuffix(it.Name, "credit_code") && rec[i] != "" && !ValidCreditCode(rec[i]) {
				if errs < 3 {
					t.Errorf("%s row %d: invalid credit code %q", r.ID, rows, rec[i])
				}
				errs++
			}
		}
	}
	if rows != r.Rows {
		t.Errorf("%s: %d data rows, Rows says %d", r.ID, rows, r.Rows)
	}
}

func demoCheckValue(it DataItem, v string) string {
	if v == "" {
		if it.Required {
			return "required value is empty"
		}
		return ""
	}
	if strings.TrimSpace(v) != v {
		return "surrounding space"
	}
	var err error
	switch it.Type {
	case "string":
	case "integer":
		_, err = strconv.ParseInt(v, 10, 64)
	case "number":
		_, err = strconv.ParseFloat(v, 64)
	case "date":
		_, err = time.Parse(CSVDateLayout, v)
	case "datetime":
		_, err = time.Parse(CSVDateTimeLayout, v)
	case "boolean":
		if v != "true" && v != "false" {
			return "not true/false"
		}
	default:
		return "unknown type"
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestCreditCode(t *testing.T) {
	valid := "91350100M000100Y43"
	if !ValidCreditCode(valid) {
		t.Errorf("%s should be valid", valid)
	}
	if c, err := CreditCodeCheckDigit(valid[:17]); err != nil || c != '3' {
		t.Errorf("check digit %q, %v", c, err)
	}
	for _, bad := range []string{
		"91350100M000100Y44", // wrong check digit
		"91350100M000100Y34", // transposed
		"91350100M000101Y43", // one character changed
		"91350100M000100Y4",  // short
		"91350100M000100Y433",
		"9135010OM000100Y43", // O is not in the character set
		"91350100m000100Y43", // lower case
		"91AB0100M000100Y43", // division must be digits
		"",
	} {
		if ValidCreditCode(bad) {
			t.Errorf("%q should be invalid", bad)
		}
	}
	if _, err := CreditCodeCheckDigit("123"); err == nil {
		t.Error("short input accepted")
	}
	if _, err := CreditCodeCheckDigit("91350100I000100Y4"); err == nil {
		t.Error("invalid character accepted")
	}
	// Every single-character substitution of a valid code is detected.
	for i := range 18 {
		for _, c := range []byte(creditCodeChars) {
			if c == valid[i] {
				continue
			}
			m := valid[:i] + string(c) + valid[i+1:]
			if ValidCreditCode(m) {
				t.Fatalf("mutation %s accepted", m)
			}
		}
	}
	// Generated codes are valid, and so are their organisation codes.
	g := &demoGen{r: demoRand("test")}
	for range 2000 {
		code := g.creditCode("91", "230103")
		if !ValidCreditCode(code) {
			t.Fatalf("generated %s is invalid", code)
		}
		if oc, _ := orgCodeCheck(code[8:16]); oc != code[16] {
			t.Fatalf("generated %s: organisation code check %c", code, oc)
		}
	}
}

func BenchmarkDemo(b *testing.B) {
	for b.Loop() {
		Demo()
	}
}

func BenchmarkDemoRenderAll(b *testing.B) {
	cat := Demo()
	for b.Loop() {
		for _, d := range cat.Datasets {
			for _, r := range d.Resources {
				if err := r.Write(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// TestDemoCatalogRecord: every department has a valid 统一社会信用代码 of a
// government organ (11…, its division), and every entry the full catalog
// record: a well-formed resource code whose 类 follows the classification
// and whose 项 is the topic, a share type with its conditions and method,
// and declared formats that are exactly its files' formats.
func TestDemoCatalogRecord(t *testing.T) {
	cat := Demo()
	codes := map[string]bool{}
	for _, d := range cat.Departments {
		if !ValidCreditCode(d.Code) {
			t.Errorf("%s: department code %q fails the GB 32100 check", d.ID, d.Code)
		}
		if !strings.HasPrefix(d.Code, "11") {
			t.Errorf("%s: %q is not a government organ's code (11…)", d.ID, d.Code)
		}
		if oc, _ := orgCodeCheck(d.Code[8:16]); oc != d.Code[16] {
			t.Errorf("%s: organisation code of %q fails its GB 11714 check", d.ID, d.Code)
		}
		division := "230000"
		if d.RegionLevel == "city" {
			division = demoCityByName(d.Region).Code
		}
		if d.Code[2:8] != division {
			t.Errorf("%s: %q does not carry the division %s", d.ID, d.Code, division)
		}
		if codes[d.Code] {
			t.Errorf("%s: code %q used twice", d.ID, d.Code)
		}
		codes[d.Code] = true
	}
	rc := regexp.MustCompile(`^([1-3])([0-9]{2})([0-9]{3})/([0-9]{6})$`)
	topicNo := map[string]string{}
	for i, tp := range cat.Topics {
		topicNo[tp.Code] = strconv.Itoa(100 + i + 1)[1:]
	}
	class := map[string]string{"基础数据": "1", "主题数据": "2", "部门数据": "3"}
	seen := map[string]string{}
	shares := map[string]int{}
	for _, d := range cat.Datasets {
		m := rc.FindStringSubmatch(d.ResourceCode)
		switch {
		case m == nil:
			t.Errorf("%s: resource code %q", d.ID, d.ResourceCode)
		case m[1] != class[d.Classification] || m[2] != topicNo[d.TopicCode]:
			t.Errorf("%s: resource code %q does not follow %s / topic %s", d.ID, d.ResourceCode, d.Classification, d.TopicCode)
		}
		if other, dup := seen[d.ResourceCode]; dup {
			t.Errorf("%s: resource code %q also on %s", d.ID, d.ResourceCode, other)
		}
		seen[d.ResourceCode] = d.ID
		shares[d.ShareType]++
		switch d.ShareType {
		case "unconditional":
			if d.ShareConditions != "" || !slices.Contains([]string{"api", "file", "database"}, d.ShareMethod) {
				t.Errorf("%s: unconditional share with %q / %q", d.ID, d.ShareConditions, d.ShareMethod)
			}
		case "conditional":
			if d.ShareConditions == "" || !slices.Contains([]string{"api", "file", "database"}, d.ShareMethod) {
				t.Errorf("%s: conditional share with %q / %q", d.ID, d.ShareConditions, d.ShareMethod)
			}
		case "not_shared":
			if d.ShareConditions == "" || d.ShareMethod != "" || d.OpenType != "not_open" {
				t.Errorf("%s: not shared with %q / %q (%s)", d.ID, d.ShareConditions, d.ShareMethod, d.OpenType)
			}
		default:
			t.Errorf("%s: share type %q", d.ID, d.ShareType)
		}
		if d.OpenType == "unconditional" && d.ShareType != "unconditional" {
			t.Errorf("%s: open to everyone but shared on conditions", d.ID)
		}
		var files []string
		for _, r := range d.Resources {
			if !slices.Contains(files, strings.ToUpper(r.Format)) {
				files = append(files, strings.ToUpper(r.Format))
			}
		}
		if len(d.Formats) == 0 || !slices.Equal(d.Formats, files) {
			t.Errorf("%s: declared formats %v, files %v", d.ID, d.Formats, files)
		}
	}
	for _, st := range []string{"unconditional", "conditional", "not_shared"} {
		if shares[st] == 0 {
			t.Errorf("no demo entry is %s", st)
		}
	}
}
