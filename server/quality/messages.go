package quality

import (
	"fmt"
	"strconv"
	"strings"
)

// Lang is the language of hints and details: zh unless the caller asks
// for en (?lang=en, or Accept-Language preferring en).
type Lang string

const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// text is one message in both languages.
type text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

func (t text) in(l Lang) string {
	if l == EN {
		return t.EN
	}
	return t.ZH
}

// Hint keys besides the check ids: why a data check could not pass.
const (
	hintNoCSV         = "no_csv"
	hintNotProfiled   = "not_profiled"
	hintProfileFailed = "profile_failed"
)

// hints say what to do, by check id (or the keys above).
var hints = map[string]text{
	CheckMetadata: {
		"按《政务信息资源目录编制指南》补全目录：描述不少于 20 字，填写领域、标签、地区、信息资源代码、共享类型（有条件共享或不予共享时写明条件或理由）、提供方代码（部门统一社会信用代码），并为每个数据项填写中文名称和说明。",
		"Complete the catalog record of the national guide: a description of at least 20 characters, topic, tags, region, resource code, share type (with its conditions or reason when not unconditional), the provider code (the department's credit code), and a label and description for every data item.",
	},
	CheckOpenFormat: {
		"至少提供一个 CSV 或 JSON 格式的资源，便于机器读取。",
		"Publish at least one resource as CSV or JSON so that machines can read it.",
	},
	CheckOnTime: {
		"按目录声明的更新频率更新数据；如实际频率已变化，请修改目录。",
		"Update the data as often as the entry's update frequency says, or correct the declared frequency.",
	},
	CheckCorrections: {
		"在答复期限内核实并答复纠错报告。",
		"Check and answer correction reports before they are due.",
	},
	CheckTypes: {
		"修正不符合数据项声明类型的单元格，或更正数据项的类型。",
		"Fix the cells that do not match their data item's declared type, or correct the declared type.",
	},
	CheckCodes: {
		"修正无效的统一社会信用代码、行政区划代码、电话号码、电子邮箱，以及超出 1900–2100 年的日期。",
		"Fix invalid credit codes, region codes, phone numbers and e-mail addresses, and dates outside 1900–2100.",
	},
	CheckDuplicates: {
		"删除文件中重复的行。",
		"Remove the duplicate rows from the file.",
	},
	CheckEmpty: {
		"补全空缺值：每列空值不超过 10%，必填数据项不得为空。",
		"Fill in missing values: no column more than 10% empty, no empty cell in a required data item.",
	},
	CheckDictionary: {
		"使文件的列与声明的数据项一致：为文件中的每一列声明数据项，删除文件中没有的数据项。",
		"Make the file's columns match the declared data items: declare every column, and remove items the file does not have.",
	},
	hintNoCSV: {
		"发布 CSV 格式的资源后才能检查数据本身。",
		"Publish a CSV resource so that the data itself can be checked.",
	},
	hintNotProfiled: {
		"数据尚未分析完成，请稍后再看。",
		"The data has not been profiled yet; look again shortly.",
	},
	hintProfileFailed: {
		"文件无法按 CSV 读取，请重新上传格式正确的 CSV 文件。",
		"The file cannot be read as CSV: upload a well-formed CSV file again.",
	},
}

// hint returns the hint of key in l.
func hint(key string, l Lang) string { return hints[key].in(l) }

// ---- details ----------------------------------------------------------------

// maxNamed is how many columns or files a detail names before "and N more".
const maxNamed = 3

// joinTexts joins parts with the language's separator.
func joinTexts(parts []text) text {
	zh := make([]string, len(parts))
	en := make([]string, len(parts))
	for i, p := range parts {
		zh[i], en[i] = p.ZH, p.EN
	}
	return text{strings.Join(zh, "；"), strings.Join(en, "; ")}
}

// capped keeps the first maxNamed parts and says how many more there are.
func capped(parts []text) text {
	if len(parts) <= maxNamed {
		return joinTexts(parts)
	}
	out := append([]text{}, parts[:maxNamed]...)
	n := len(parts) - maxNamed
	out = append(out, text{fmt.Sprintf("另有 %d 处", n), fmt.Sprintf("and %d more", n)})
	return joinTexts(out)
}

// names lists up to maxNamed names ("a, b, c and 2 more").
func names(list []string) text {
	zh := strings.Join(list[:min(len(list), maxNamed)], "、")
	en := strings.Join(list[:min(len(list), maxNamed)], ", ")
	if n := len(list) - maxNamed; n > 0 {
		zh += fmt.Sprintf(" 等 %d 项", len(list))
		en += fmt.Sprintf(" and %d more", n)
	}
	return text{zh, en}
}

// rowList names a column's first invalid rows: "row 5", "rows 12, 40, 77",
// "rows 2, 3, 4, 5, 6, …" when there are more (zh: "第 12, 40, 77 行").
func rowList(rows []int64, invalid int64) text {
	shown := rows[:min(len(rows), 5)]
	parts := make([]string, len(shown))
	for i, r := range shown {
		parts[i] = strconv.FormatInt(r, 10)
	}
	list := strings.Join(parts, ", ")
	if invalid > int64(len(shown)) {
		list += ", …"
	}
	word := "rows"
	if invalid == 1 {
		word = "row"
	}
	return text{"第 " + list + " 行", word + " " + list}
}

// ruleNames names what an invalid cell is not.
var ruleNames = map[string]text{
	"credit_code": {"统一社会信用代码", "credit code"},
	"region_code": {"行政区划代码", "region code"},
	"phone":       {"电话号码", "phone number"},
	"email":       {"电子邮箱", "e-mail address"},
}

// typeNames names the declared types.
var typeNames = map[string]text{
	"string":   {"文本", "text"},
	"integer":  {"整数", "whole number"},
	"number":   {"数值", "number"},
	"date":     {"日期", "date"},
	"datetime": {"日期时间", "date and time"},
	"boolean":  {"布尔值", "boolean"},
}

func typeName(t string) text {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return text{t, t}
}

// columnName is a column's label with its name ("注册资本 (capital)").
func columnName(id, label string) string {
	if label == "" || label == id {
		return id
	}
	return label + " (" + id + ")"
}
