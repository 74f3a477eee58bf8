package msgs

import (
	"reflect"
	"testing"
)

type status string // like applications.Status

func TestLocalize(t *testing.T) {
	tests := []struct {
		name, lang, format string
		args               []any
		want               string
	}{
		{"verbs in order", ZH, "page must be a whole number from 1 to %d", []any{50}, "page 必须是 1 到 50 之间的整数"},
		{"English is the source", EN, "page must be a whole number from 1 to %d", []any{50}, "page must be a whole number from 1 to 50"},
		{"unknown language is English", "fr", "page must be a whole number from 1 to %d", []any{50}, "page must be a whole number from 1 to 50"},
		{"unknown format falls back to English", ZH, "no such message %d", []any{7}, "no such message 7"},
		{"no args", ZH, "sign in required", nil, "请先登录"},
		{"field name is a term", ZH, "%s is required", []any{"purpose"}, "请填写申请用途"},
		{"field name without a term stays", ZH, "%s is required", []any{"zzz"}, "请填写zzz"},
		{"status of a named string type", ZH, "the application is %s: there is nothing to decide", []any{status("approved")}, "该申请状态为“已批准”，无需再作决定"},
		{"quoted values are never terms", ZH, "unknown status %q", []any{"approved"}, "未知的状态 \"approved\""},
		{"a whole message as an argument", ZH, "%s: %s", []any{"人口.csv", "its column \"x\" is no longer a declared data item; upload it again"}, "人口.csv：文件中的列 \"x\" 已不是目录的数据项，请重新上传"},
		{"%s hands a message on", ZH, "%s", []any{"this account is disabled"}, "该账号已停用"},
		{"%s hands a rendered message on", ZH, "%s", []any{"unknown parameter foo"}, "未知的参数 foo"},
		{"%s in English", EN, "%s", []any{"this account is disabled"}, "this account is disabled"},
		{"bilingual source, Chinese part", ZH, "%s / %s", []any{"文件无效", "invalid file"}, "文件无效"},
		{"bilingual source, English part", EN, "%s / %s", []any{"文件无效", "invalid file"}, "invalid file"},
		{"bilingual with numbers", EN, "日历文件超过 %d KB / the calendar file is larger than %d KB", []any{64, 64}, "the calendar file is larger than 64 KB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Localize(tc.lang, tc.format, tc.args...); got != tc.want {
				t.Errorf("Localize(%s, %q, %v) = %q, want %q", tc.lang, tc.format, tc.args, got, tc.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct{ name, lang, in, want string }{
		{"exact", ZH, "no such department", "部门不存在"},
		{"exact with a percent sign", ZH, "not a PDF (no %PDF- header)", "不是 PDF 文件（缺少 %PDF- 文件头）"},
		{"pattern with a number", ZH, "page must be a whole number from 1 to 40", "page 必须是 1 到 40 之间的整数"},
		{"pattern with a quoted value", ZH, `unknown parameter "x y"`, `未知的参数 "x y"`},
		{"pattern with a concatenated name", ZH, "unknown parameter bar", "未知的参数 bar"},
		{"pattern with a term", ZH, "the application is withdrawn: its material can no longer change", "该申请状态为“已撤回”，申请材料已不能修改"},
		{"several verbs", ZH, "line 3 has 9 columns, more than 8", "第 3 行有 9 列，超过 8 列"},
		{"the most specific pattern wins", ZH, "limit must be a whole number from 0 to 9", "limit 必须是 0 到 9 之间的整数"},
		{"unknown text stays", ZH, "something else entirely", "something else entirely"},
		{"a short pattern is not trusted", ZH, "a: b", "a: b"},
		{"English stays", EN, "no such department", "no such department"},
		{"bilingual rendered, English", EN, "年份应为 2000 至 2100 之间的四位数字 / the year must be four digits from 2000 to 2100", "the year must be four digits from 2000 to 2100"},
		{"bilingual rendered, Chinese", ZH, "年份应为 2000 至 2100 之间的四位数字 / the year must be four digits from 2000 to 2100", "年份应为 2000 至 2100 之间的四位数字"},
		{"empty", ZH, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.lang, tc.in); got != tc.want {
				t.Errorf("Text(%s, %q) = %q, want %q", tc.lang, tc.in, got, tc.want)
			}
		})
	}
}

func TestVerbs(t *testing.T) {
	got := Verbs("%d%% of %q: %5.1f, %[1]d and %s")
	want := []Verb{{0, 'd'}, {1, 'q'}, {2, 'f'}, {0, 'd'}, {1, 's'}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Verbs = %v, want %v", got, want)
	}
	if err := sameVerbs("a %d b %s", "甲 %s 乙 %d"); err == nil {
		t.Error("sameVerbs accepted verbs in another order")
	}
	if err := sameVerbs("a %d b %s", "甲 %d 乙"); err == nil {
		t.Error("sameVerbs accepted a missing verb")
	}
	if err := sameVerbs("%s / %s", "%[3]s"); err == nil {
		t.Error("sameVerbs accepted an index beyond the arguments")
	}
	if err := sameVerbs("%d / %s", "%[2]s"); err != nil {
		t.Errorf("sameVerbs refused an indexed translation: %v", err)
	}
}
