package embedded

import (
	"reflect"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/search"
)

type collectTerms struct {
	cjk   []uint64
	words []string
}

func (c *collectTerms) cjkTerm(key uint64)   { c.cjk = append(c.cjk, key) }
func (c *collectTerms) wordTerm(word []byte) { c.words = append(c.words, string(word)) }

func TestScanTerms(t *testing.T) {
	var c collectTerms
	scanTerms("公交线路 GB/T２２６０-2007，５Ｇ基站", &c, nil)
	wantCJK := []uint64{
		unigramKey('公'), bigramKey('公', '交'), unigramKey('交'), bigramKey('交', '线'), unigramKey('线'),
		bigramKey('线', '路'), unigramKey('路'),
		unigramKey('基'), bigramKey('基', '站'), unigramKey('站'),
	}
	if !reflect.DeepEqual(c.cjk, wantCJK) {
		t.Fatalf("cjk terms = %x, want %x", c.cjk, wantCJK)
	}
	// Full-width digits and letters fold to ASCII; case folds; punctuation splits.
	if want := []string{"gb", "t2260", "2007", "5g"}; !reflect.DeepEqual(c.words, want) {
		t.Fatalf("words = %q, want %q", c.words, want)
	}
}

func TestParseQuery(t *testing.T) {
	runs := parseQuery("企业 登记 PM2")
	if len(runs) != 3 || string(runs[0].text) != "企业" || !runs[0].cjk || string(runs[2].text) != "pm2" || !runs[2].prefix {
		t.Fatalf("runs = %+v", runs)
	}
	if runs := parseQuery("aqi "); runs[0].prefix {
		t.Fatal("a word followed by a space is complete, not a prefix")
	}
	if got := parseQuery("企业登记")[0].cjkKeys(); len(got) != 3 {
		t.Fatalf("企业登记 keys = %d, want its 3 bigrams", len(got))
	}
	if got := parseQuery("医")[0].cjkKeys(); !reflect.DeepEqual(got, []uint64{unigramKey('医')}) {
		t.Fatalf("single rune keys = %x", got)
	}
	if runs := parseQuery("，。！ "); len(runs) != 0 {
		t.Fatalf("punctuation-only query gave runs %+v", runs)
	}
}

func TestDocumentCodecRoundTrip(t *testing.T) {
	d := search.Document{
		ID: "ds-1", Title: "<标题>", Description: "描述", Department: "d", DepartmentName: "部门",
		Topic: "t", TopicName: "主题", OpenType: "unconditional", Formats: []string{"csv", "json"},
		UpdateFrequency: "daily", Grade: "A", Tags: []string{"标签"}, Region: "230000",
		DataItems: []string{"统一社会信用代码"}, UpdatedAt: time.Date(2024, 6, 1, 8, 30, 0, 5, time.UTC),
		Downloads: -3, Quality: 64,
	}
	got, err := decodeDoc(encodeDoc(&d))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, d) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", *got, d)
	}
	if id, title := docHead(encodeDoc(&d)); id != "ds-1" || title != "<标题>" {
		t.Fatalf("docHead = %q %q", id, title)
	}
	// Every cut is damage, except dropping the one-byte quality: that is a
	// format-1 document (see codec.go).
	enc := encodeDoc(&d)
	for n := range len(enc) - 1 {
		if _, err := decodeDoc(enc[:n]); err == nil {
			t.Fatalf("document cut to %d of %d bytes decoded without error", n, len(enc))
		}
	}
}

func TestGallop(t *testing.T) {
	a := []uint32{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21}
	for x := uint32(0); x <= 22; x++ {
		for from := 0; from <= len(a); from++ {
			want := from
			for want < len(a) && a[want] < x {
				want++
			}
			if got := gallop(a, from, x); got != want {
				t.Fatalf("gallop(from %d, %d) = %d, want %d", from, x, got, want)
			}
		}
	}
}
