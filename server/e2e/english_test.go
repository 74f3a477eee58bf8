package e2e

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// TestEnglishWording, in an English page of the real portal: counts say
// "1 dataset" but "2 datasets" (plural.js, the catalogs' ".one" keys),
// unconditional data is "Unconditionally open", and no topic icon shows a
// Chinese character (topicicon.js) while the Chinese page keeps them.
func TestEnglishWording(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := NewBrowser(t, 1280, 900)
	b.Do(t, "open an English page", chromedp.Navigate(p.URL+"/developers?lang=en"))
	waitFor(t, b, "English", `document.documentElement.lang === 'en' && document.querySelector('main h1')`)
	js := `Promise.all([import('/static/js/plural.js'), import('/static/js/topicicon.js'), import('/static/js/i18n.js?v=` + eval[string](t, b, `new URL(document.querySelector('script[type=module]').src).searchParams.get('v')`) + `'), fetch('/api/v1/topics').then(r => r.json())])
	  .then(([p, ti, i18n, topics]) => JSON.stringify({
	    lang: i18n.lang(),
	    counts: [p.tn('catalog.resultCount', 1), p.tn('catalog.resultCount', 2), p.tn('dataset.resources.caption', 1), p.tn('result.downloads', 1), p.tn('result.downloads', 1234), p.tn('dev.limits.live', 1, {left: 0})],
	    open: [i18n.enumLabel('open_type', 'unconditional'), i18n.enumLabel('open_type', 'conditional')],
	    icons: topics.items.map(tp => ({id: tp.id, en: ti.topicIcon(tp, 'en').textContent, svg: !!ti.topicIcon(tp, 'en').querySelector('svg'), zh: ti.topicIcon(tp, 'zh').outerHTML})),
	    unknownEn: ti.topicIcon({id: 'no-such-topic', name: '测试领域', name_en: 'Testing'}, 'en').textContent,
	    unknownZh: ti.topicIcon({id: 'no-such-topic', name: '测试领域', name_en: 'Testing'}, 'zh').textContent,
	    noName: ti.topicIcon({id: 'no-such-topic', name: '测试领域'}, 'en').textContent,
	  }))`
	raw := Value(t, b, "evaluate the helpers", chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	var got struct {
		Lang   string   `json:"lang"`
		Counts []string `json:"counts"`
		Open   []string `json:"open"`
		Icons  []struct {
			ID  string `json:"id"`
			En  string `json:"en"`
			SVG bool   `json:"svg"`
			Zh  string `json:"zh"`
		} `json:"icons"`
		UnknownEn string `json:"unknownEn"`
		UnknownZh string `json:"unknownZh"`
		NoName    string `json:"noName"`
	}
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if got.Lang != "en" {
		t.Fatalf("the page's language is %q", got.Lang)
	}
	want := []string{"1 dataset", "2 datasets", "Resources (1 file)", "1 download", "1,234 downloads", "Your limit on this site right now: 1 request a minute, 0 left this minute."}
	for i, w := range want {
		if i >= len(got.Counts) || got.Counts[i] != w {
			t.Errorf("counts %q, want %q", got.Counts, want)
			break
		}
	}
	if len(got.Open) != 2 || got.Open[0] != "Unconditionally open" || got.Open[1] != "Conditionally open" {
		t.Errorf("open types in English: %q", got.Open)
	}
	han := regexp.MustCompile(`\p{Han}`)
	if len(got.Icons) < 10 {
		t.Fatalf("only %d topics", len(got.Icons))
	}
	for _, ic := range got.Icons {
		if han.MatchString(ic.En) || !ic.SVG {
			t.Errorf("topic %s: English icon %q (drawing %v)", ic.ID, ic.En, ic.SVG)
		}
	}
	if got.UnknownEn != "T" || got.UnknownZh != "测" || got.NoName != "•" {
		t.Errorf("letter icons: en %q, zh %q, no English name %q", got.UnknownEn, got.UnknownZh, got.NoName)
	}
}
