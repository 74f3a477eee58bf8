package quality

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/profile"
)

// Check ids (part of the public API).
const (
	CheckMetadata    = "metadata_complete"
	CheckOpenFormat  = "open_format"
	CheckOnTime      = "on_time"
	CheckCorrections = "corrections_answered"
	CheckTypes       = "types_respected"
	CheckCodes       = "valid_codes"
	CheckDuplicates  = "no_duplicates"
	CheckEmpty       = "low_empty"
	CheckDictionary  = "dictionary_matches"
)

// CheckDef is a check and its weight; the weights sum to 100.
type CheckDef struct {
	ID     string
	Weight int
}

// Checks lists the checks in display order (docs/quality.md says how each
// is measured).
var Checks = []CheckDef{
	{CheckMetadata, 20},
	{CheckOpenFormat, 10},
	{CheckOnTime, 15},
	{CheckCorrections, 10},
	{CheckTypes, 15},
	{CheckCodes, 10},
	{CheckDuplicates, 10},
	{CheckEmpty, 5},
	{CheckDictionary, 5},
}

// dataChecks are measured on the profiles of the entry's CSV files.
var dataChecks = []string{CheckTypes, CheckCodes, CheckDuplicates, CheckEmpty, CheckDictionary}

// MinDescription is the shortest description the catalog record counts as
// complete (our reading of the guide's 摘要: a sentence, not a title).
const MinDescription = 20

// MaxEmptyShare: a column with more than a tenth of its cells empty fails
// low_empty.
const MaxEmptyShare = 0.10

// FileProfile is what scoring knows of one CSV resource's current
// profile (absent from Inputs.Profiles when missing, stale or running).
type FileProfile struct {
	Failed bool   // the file could not be read, for good
	Error  string // why
	Result *profile.Result
}

// Inputs are everything one entry's score depends on.
type Inputs struct {
	Dataset *catalog.Dataset // with department, data items and resources
	Now     time.Time
	// OverdueCorrections: open correction reports past their due time.
	OverdueCorrections int64
	// Profiles of the entry's CSV resources by resource id.
	Profiles map[string]*FileProfile
}

// checkResult is one check's outcome as stored: the hint is a key of the
// message table, the detail is in both languages.
type checkResult struct {
	ID     string `json:"id"`
	Passed bool   `json:"passed"`
	Weight int    `json:"weight"`
	Hint   string `json:"hint"`
	Detail text   `json:"detail"`
}

// assess runs every check on one entry. It reads nothing but its inputs.
func assess(in Inputs) []checkResult {
	d := in.Dataset
	byID := map[string]checkResult{
		CheckMetadata:    metadataCheck(d),
		CheckOpenFormat:  openFormatCheck(d),
		CheckOnTime:      onTimeCheck(d, in.Now),
		CheckCorrections: correctionsCheck(in.OverdueCorrections),
	}
	for id, c := range dataCheckResults(d, in.Profiles) {
		byID[id] = c
	}
	out := make([]checkResult, 0, len(Checks))
	for _, def := range Checks {
		c := byID[def.ID]
		c.ID, c.Weight = def.ID, def.Weight
		if c.Hint == "" {
			c.Hint = def.ID
		}
		out = append(out, c)
	}
	return out
}

// total is the score: the weights of the checks passed.
func total(checks []checkResult) int {
	n := 0
	for _, c := range checks {
		if c.Passed {
			n += c.Weight
		}
	}
	return n
}

func passed(detail text) checkResult { return checkResult{Passed: true, Detail: detail} }
func failed(detail text) checkResult { return checkResult{Detail: detail} }

// metadataCheck: the fields of 《政务信息资源目录编制指南》 the entry must fill.
func metadataCheck(d *catalog.Dataset) checkResult {
	var missing []text
	if utf8.RuneCountInString(strings.TrimSpace(d.Description)) < MinDescription {
		missing = append(missing, text{fmt.Sprintf("描述少于 %d 个字", MinDescription), fmt.Sprintf("description shorter than %d characters", MinDescription)})
	}
	if d.TopicID == "" {
		missing = append(missing, text{"未选择领域", "no topic"})
	}
	if len(d.Tags) == 0 {
		missing = append(missing, text{"没有标签", "no tags"})
	}
	if strings.TrimSpace(d.Region) == "" {
		missing = append(missing, text{"未填写地区", "no region"})
	}
	if strings.TrimSpace(d.ResourceCode) == "" {
		missing = append(missing, text{"没有信息资源代码", "no resource code"})
	}
	switch d.ShareType {
	case catalog.ShareUnconditional:
	case catalog.ShareConditional, catalog.NotShared:
		if strings.TrimSpace(d.ShareConditions) == "" {
			missing = append(missing, text{"未写明共享条件或不予共享的理由", "no share conditions (or reason for not sharing)"})
		}
	default:
		missing = append(missing, text{"未填写共享类型", "no share type"})
	}
	if d.Department.Code == "" {
		missing = append(missing, text{"部门未登记统一社会信用代码（提供方代码）", "the department has no credit code (provider code)"})
	}
	if len(d.DataItems) == 0 {
		missing = append(missing, text{"没有声明数据项", "no data items declared"})
	}
	var unlabelled, undescribed []string
	for _, it := range d.DataItems {
		if strings.TrimSpace(it.Label) == "" {
			unlabelled = append(unlabelled, it.Name)
		}
		if strings.TrimSpace(it.Description) == "" {
			undescribed = append(undescribed, columnName(it.Name, it.Label))
		}
	}
	if len(unlabelled) > 0 {
		n := names(unlabelled)
		missing = append(missing, text{"数据项缺少中文名称：" + n.ZH, "data items without a label: " + n.EN})
	}
	if len(undescribed) > 0 {
		n := names(undescribed)
		missing = append(missing, text{"数据项缺少说明：" + n.ZH, "data items without a description: " + n.EN})
	}
	if len(missing) > 0 {
		return failed(joinTexts(missing))
	}
	return passed(text{"编制指南要求的字段均已填写", "every field of the catalog guide is filled in"})
}

func openFormatCheck(d *catalog.Dataset) checkResult {
	var formats []string
	for _, r := range d.Resources {
		f := strings.ToUpper(r.Format)
		if f == "CSV" || f == "JSON" {
			return passed(text{"提供 " + f + " 格式：" + r.Name, f + " available: " + r.Name})
		}
		if !slices.Contains(formats, f) {
			formats = append(formats, f)
		}
	}
	if len(formats) == 0 {
		return failed(text{"没有资源文件", "no resource file"})
	}
	list := strings.Join(formats, ", ")
	return failed(text{"没有 CSV 或 JSON 资源（现有格式：" + list + "）", "no CSV or JSON resource (formats: " + list + ")"})
}

// frequencyNames are the update frequencies in words.
var frequencyNames = map[string]text{
	"realtime": {"实时", "real time"}, "daily": {"每日", "daily"}, "weekly": {"每周", "weekly"},
	"monthly": {"每月", "monthly"}, "quarterly": {"每季度", "quarterly"}, "yearly": {"每年", "yearly"},
}

// onTimeCheck: updated as often as the entry declares (catalog.FreshnessAt).
func onTimeCheck(d *catalog.Dataset, now time.Time) checkResult {
	f := catalog.FreshnessAt(d, now)
	if f.NextUpdateDue == nil {
		return passed(text{"不定期更新，没有固定期限", "updated irregularly: no schedule"})
	}
	day := func(t time.Time) string { return t.In(calendar.Zone).Format(time.DateOnly) }
	due := day(*f.NextUpdateDue)
	if f.OnSchedule {
		return passed(text{"下次更新期限：" + due, "next update due by " + due})
	}
	freq := frequencyNames[d.UpdateFrequency]
	return failed(text{
		fmt.Sprintf("应于 %s 前更新（%s），最近一次更新于 %s", due, freq.ZH, day(d.UpdatedAt)),
		fmt.Sprintf("an update was due by %s (%s); last updated %s", due, freq.EN, day(d.UpdatedAt)),
	})
}

func correctionsCheck(overdue int64) checkResult {
	if overdue == 0 {
		return passed(text{"没有超期未答复的纠错报告", "no correction report is overdue"})
	}
	return failed(text{
		fmt.Sprintf("%d 份纠错报告已超过答复期限", overdue),
		fmt.Sprintf("%d %s past its due time without an answer", overdue, plural(overdue, "correction report is", "correction reports are")),
	})
}

// dataCheckResults measures the five data checks on the entry's CSV files.
func dataCheckResults(d *catalog.Dataset, profiles map[string]*FileProfile) map[string]checkResult {
	all := func(c checkResult) map[string]checkResult {
		out := map[string]checkResult{}
		for _, id := range dataChecks {
			out[id] = c
		}
		return out
	}
	type file struct {
		name string
		res  *profile.Result
	}
	var files []file
	var notProfiled, unreadable []string
	var unreadableWhy []text
	for _, r := range d.Resources {
		if !strings.EqualFold(r.Format, "CSV") {
			continue
		}
		p := profiles[r.ID]
		switch {
		case p == nil:
			notProfiled = append(notProfiled, r.Name)
		case p.Failed || p.Result == nil:
			unreadable = append(unreadable, r.Name)
			unreadableWhy = append(unreadableWhy, text{r.Name + " 无法读取：" + p.Error, r.Name + " could not be read: " + p.Error})
		default:
			files = append(files, file{r.Name, p.Result})
		}
	}
	switch {
	case len(files)+len(notProfiled)+len(unreadable) == 0:
		c := failed(text{"没有可供检查的 CSV 资源", "no CSV resource to check"})
		c.Hint = hintNoCSV
		return all(c)
	case len(unreadable) > 0:
		c := failed(capped(unreadableWhy))
		c.Hint = hintProfileFailed
		return all(c)
	case len(notProfiled) > 0:
		n := names(notProfiled)
		c := failed(text{n.ZH + " 尚未分析", n.EN + " not profiled yet"})
		c.Hint = hintNotProfiled
		return all(c)
	}
	required := map[string]bool{}
	for _, it := range d.DataItems {
		required[it.Name] = it.Required
	}
	var types, codes, dups, empty, dict []text
	var rows int64
	for _, f := range files {
		rows += f.res.Rows
		for _, c := range f.res.Columns {
			col := columnName(c.ID, c.Label)
			if c.Invalid > 0 {
				at := rowList(c.InvalidExamples, c.Invalid)
				switch c.InvalidRule {
				case profile.RuleType, "":
					tn := typeName(c.DeclaredType)
					types = append(types, text{
						fmt.Sprintf("%s：%s 有 %d 行不是%s（%s）", f.name, col, c.Invalid, tn.ZH, at.ZH),
						fmt.Sprintf("%d %s not a %s in %s (%s) in %s", c.Invalid, plural(c.Invalid, "row has a value that is", "rows have a value that is"), tn.EN, col, at.EN, f.name),
					})
				case profile.RuleDate:
					codes = append(codes, text{
						fmt.Sprintf("%s：%s 有 %d 行日期超出 1900–2100 年（%s）", f.name, col, c.Invalid, at.ZH),
						fmt.Sprintf("%d %s a date outside 1900–2100 in %s (%s) in %s", c.Invalid, plural(c.Invalid, "row has", "rows have"), col, at.EN, f.name),
					})
				default:
					rn, ok := ruleNames[c.InvalidRule]
					if !ok {
						rn = text{c.InvalidRule, c.InvalidRule}
					}
					codes = append(codes, text{
						fmt.Sprintf("%s：%s 有 %d 行不是有效的%s（%s）", f.name, col, c.Invalid, rn.ZH, at.ZH),
						fmt.Sprintf("%d %s an invalid %s in %s (%s) in %s", c.Invalid, plural(c.Invalid, "row has", "rows have"), rn.EN, col, at.EN, f.name),
					})
				}
			}
			switch {
			case required[c.ID] && c.Empty > 0:
				empty = append(empty, text{
					fmt.Sprintf("%s：必填项 %s 有 %d 个空值", f.name, col, c.Empty),
					fmt.Sprintf("required item %s has %d empty %s in %s", col, c.Empty, plural(c.Empty, "cell", "cells"), f.name),
				})
			case f.res.Rows > 0 && float64(c.Empty) > MaxEmptyShare*float64(f.res.Rows):
				pct := (c.Empty*100 + f.res.Rows/2) / f.res.Rows
				empty = append(empty, text{
					fmt.Sprintf("%s：%s 有 %d%% 为空", f.name, col, pct),
					fmt.Sprintf("%s is %d%% empty in %s", col, pct, f.name),
				})
			}
		}
		if f.res.DuplicateRows > 0 {
			dups = append(dups, text{
				fmt.Sprintf("%s 有 %d 行与前面的行重复", f.name, f.res.DuplicateRows),
				fmt.Sprintf("%d duplicate %s in %s", f.res.DuplicateRows, plural(f.res.DuplicateRows, "row", "rows"), f.name),
			})
		}
		if len(f.res.Undeclared) > 0 {
			n := names(f.res.Undeclared)
			dict = append(dict, text{f.name + " 中有未声明的列：" + n.ZH, "columns not declared as data items in " + f.name + ": " + n.EN})
		}
		if len(f.res.Missing) > 0 {
			n := names(f.res.Missing)
			dict = append(dict, text{f.name + " 缺少声明的数据项：" + n.ZH, "declared data items missing from " + f.name + ": " + n.EN})
		}
	}
	nf := len(files)
	ok := func(zh, en string) text {
		return text{fmt.Sprintf("%s（%d 个文件，%d 行）", zh, nf, rows), fmt.Sprintf("%s (%d %s, %d %s)", en, nf, plural(int64(nf), "file", "files"), rows, plural(rows, "row", "rows"))}
	}
	judge := func(problems []text, good text) checkResult {
		if len(problems) > 0 {
			return failed(capped(problems))
		}
		return passed(good)
	}
	return map[string]checkResult{
		CheckTypes:      judge(types, ok("所有单元格均符合声明的类型", "every cell matches its declared type")),
		CheckCodes:      judge(codes, ok("代码、电话、邮箱和日期均有效", "codes, phone numbers, e-mail addresses and dates are valid")),
		CheckDuplicates: judge(dups, ok("没有重复的行", "no duplicate rows")),
		CheckEmpty:      judge(empty, ok("各列空值均不超过 10%，必填项没有空值", "no column is more than 10% empty and no required item is empty")),
		CheckDictionary: judge(dict, ok("文件的列与数据项一致", "the file's columns match the data items")),
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
