package highlight

import (
	"strings"
	"testing"
)

func marks(text string, from, to int) ([]rune, []bool) {
	r := []rune(text)
	m := make([]bool, len(r))
	for i := from; i < to; i++ {
		m[i] = true
	}
	return r, m
}

func TestRenderEscapesAndMergesRuns(t *testing.T) {
	r, m := marks("<b>企业登记&</b>", 3, 7)
	if got, want := Render(r, m), "&lt;b&gt;<mark>企业登记</mark>&amp;&lt;/b&gt;"; got != want {
		t.Fatalf("Render = %q, want %q", got, want)
	}
	r, m = marks("企业登记", 2, 4)
	if got := Render(r, m); got != "企业<mark>登记</mark>" {
		t.Fatalf("Render at end = %q", got)
	}
}

func TestSnippetCentersOnLongestMatch(t *testing.T) {
	text := strings.Repeat("甲", 50) + "价格" + strings.Repeat("乙", 100) + "价格指数" + strings.Repeat("丙", 100)
	r := []rune(text)
	m := make([]bool, len(r))
	m[50], m[51] = true, true
	for i := 152; i < 156; i++ {
		m[i] = true
	}
	got := Snippet(r, m, SnippetRunes)
	if !strings.Contains(got, "<mark>价格指数</mark>") || !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
		t.Fatalf("Snippet = %q", got)
	}
	plain := strings.NewReplacer("<mark>", "", "</mark>", "", "…", "").Replace(got)
	if n := len([]rune(plain)); n != SnippetRunes {
		t.Fatalf("snippet has %d runes, want %d", n, SnippetRunes)
	}
	short, sm := marks("短文本", 0, 1)
	if got := Snippet(short, sm, SnippetRunes); got != "<mark>短</mark>文本" {
		t.Fatalf("short Snippet = %q", got)
	}
}

func TestParseSentinels(t *testing.T) {
	const pre, post = "\x00[", "]\x00"
	r, m := ParseSentinels("全省"+pre+"企业"+post+pre+"登记"+post+"<信息>", pre, post)
	if got, want := Render(r, m), "全省<mark>企业登记</mark>&lt;信息&gt;"; got != want {
		t.Fatalf("ParseSentinels+Render = %q, want %q", got, want)
	}
}
