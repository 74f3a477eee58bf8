package site

import "testing"

func TestCiteRules(t *testing.T) {
	for in, want := range map[string]string{
		"000 Art 35":          "《黑龙江省政务数据管理暂行办法》第三十五条",
		"依据000 Art. 16 ¶2处理":  "依据《黑龙江省政务数据管理暂行办法》第十六条处理",
		"000 第24条、001 Art 26": "《黑龙江省政务数据管理暂行办法》第二十四条、《政务数据共享条例》第二十六条",
		"003 Art 21":          "《平山县政务数据共享工作制度》第二十一条",
		"000 Art 105":         "《黑龙江省政务数据管理暂行办法》第一百零五条",
		"000 Art 110":         "《黑龙江省政务数据管理暂行办法》第一百一十条",
		"《中华人民共和国保守国家秘密法》第九条": "《中华人民共和国保守国家秘密法》第九条",
		"编号 2000 Art 5 不是条款":  "编号 2000 Art 5 不是条款", // a longer number is not a code
		"":                    "",
	} {
		if got := CiteRules(in); got != want {
			t.Errorf("CiteRules(%q) = %q, want %q", in, got, want)
		}
	}
	for n, want := range map[int]string{1: "一", 10: "十", 16: "十六", 20: "二十", 24: "二十四", 35: "三十五", 100: "一百", 101: "一百零一", 999: "九百九十九"} {
		if got := ppChineseNumber(n); got != want {
			t.Errorf("ppChineseNumber(%d) = %q, want %q", n, got, want)
		}
	}
}
