package profile

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestPropose(t *testing.T) {
	var b strings.Builder
	b.WriteString("统一社会信用代码,Company Name,联系电话,区划,邮件,数量,成立日期,名称,名称,GDP增长率(%),2020年,空列,,备注\n")
	for i := range 40 {
		mail := fmt.Sprintf("user%d@example.com", i)
		if i == 7 {
			mail = "not an address" // 39 of 40 = 97.5 % still proposes email
		}
		note := fmt.Sprintf("note %d", i)
		if i == 3 {
			note = "" // one empty cell: not required
		}
		phone := fmt.Sprintf("139%08d", i)
		if i < 3 {
			phone = fmt.Sprintf("0451-8%07d", i) // fixed lines make the column text
		}
		fmt.Fprintf(&b, "91110000802100433B,Acme %d,%s,2301%02d,%s,%d,2020-01-%02d,n%d,m%d,%d.5,%d,,x,%s\n",
			i, phone, 2+i%3, mail, i, 1+i%28, i, i, i, i, note)
	}
	r := profileString(t, b.String(), nil, Options{})
	want := []Proposal{
		{Name: "tyshxydm", Label: "统一社会信用代码", Type: "string", Domain: "credit_code", Required: true},
		{Name: "company_name", Label: "Company Name", Type: "string", Required: true},
		{Name: "lxdh", Label: "联系电话", Type: "string", Domain: "phone", Required: true},
		{Name: "qh", Label: "区划", Type: "string", Domain: "region_code", Required: true}, // from the data: 230102…230104
		{Name: "yj", Label: "邮件", Type: "string", Domain: "email", Required: true},
		{Name: "sl", Label: "数量", Type: "integer", Required: true},
		{Name: "clrq", Label: "成立日期", Type: "date", Required: true},
		{Name: "mc", Label: "名称", Type: "string", Required: true},
		{Name: "mc_2", Label: "名称", Type: "string", Required: true},
		{Name: "gdp_zzl", Label: "GDP增长率(%)", Type: "number", Required: true},
		{Name: "c2020_n", Label: "2020年", Type: "integer", Required: true},
		{Name: "kl", Label: "空列", Type: "string", Required: false}, // all empty
		{Name: "column_13", Label: "column_13", Type: "string", Required: true},
		{Name: "bz", Label: "备注", Type: "string", Required: false},
	}
	got := Propose(r)
	if len(got) != len(want) {
		t.Fatalf("%d proposals, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("column %d: %+v, want %+v", i+1, got[i], want[i])
		}
	}
}

func TestProposeMobileNumbersAsText(t *testing.T) {
	// All-digit mobile numbers infer as integers; the phone domain, found
	// in the data, makes them text (an integer would invite sums).
	r := profileString(t, "tel_no\n13800138000\n13900139000\n", nil, Options{})
	got := Propose(r)
	if want := (Proposal{Name: "tel_no", Label: "tel_no", Type: "string", Domain: "phone", Required: true}); got[0] != want {
		t.Errorf("%+v, want %+v", got[0], want)
	}
	if r.Columns[0].InferredType != "integer" {
		t.Errorf("inferred %s", r.Columns[0].InferredType)
	}
}

func TestIdentifier(t *testing.T) {
	used := map[string]bool{}
	for _, tc := range []struct{ header, want string }{
		{"统一社会信用代码", "tyshxydm"},
		{"Reg. No", "reg_no"},
		{"企业名称(中文)", "qymc_zw"},
		{"123", "c123"},
		{"（）", "column_5"},
		{strings.Repeat("a", 80), strings.Repeat("a", 64)},
		{strings.Repeat("a", 80), strings.Repeat("a", 62) + "_2"},
	} {
		got := uniqueName(identifier(tc.header, 5), used)
		if got != tc.want {
			t.Errorf("identifier(%q) = %q, want %q", tc.header, got, tc.want)
		}
		if !validIdentifier(got) {
			t.Errorf("%q does not match ^[A-Za-z_][A-Za-z0-9_]{0,63}$", got)
		}
	}
}

func validIdentifier(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '_' {
			return false
		}
	}
	return true
}
