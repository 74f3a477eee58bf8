package seed

import (
	"bytes"
	"strings"
	"testing"
)

func TestSynthetic(t *testing.T) {
	const n = 5000
	list := Synthetic(n, 0)
	if len(list) != n {
		t.Fatalf("%d datasets", len(list))
	}
	demo := Demo()
	deps, topics := map[string]bool{}, map[string]bool{}
	for _, d := range demo.Departments {
		deps[d.ID] = true
	}
	for _, tp := range demo.Topics {
		topics[tp.Code] = true
	}
	titles := map[string]bool{}
	open := map[string]int{}
	usedDeps, usedTopics := map[string]bool{}, map[string]bool{}
	for i, d := range list {
		if want := "syn-" + demoPad(i, 7); d.ID != want {
			t.Fatalf("id %s, want %s", d.ID, want)
		}
		if titles[d.Title] {
			t.Errorf("duplicate title %s", d.Title)
		}
		titles[d.Title] = true
		if !deps[d.DepartmentID] || !topics[d.TopicCode] {
			t.Errorf("%s: department %s topic %s", d.ID, d.DepartmentID, d.TopicCode)
		}
		usedDeps[d.DepartmentID] = true
		usedTopics[d.TopicCode] = true
		open[d.OpenType]++
		switch d.OpenType {
		case "conditional":
			if d.OpenConditions == "" {
				t.Errorf("%s: conditional without conditions", d.ID)
			}
		case "not_open":
			if d.NotOpenReason == "" {
				t.Errorf("%s: not_open without reason", d.ID)
			}
		}
		if d.UpdatedAt.Before(d.PublishedAt) || len(d.DataItems) < 5 || len(d.Resources) != 1 {
			t.Errorf("%s: %+v", d.ID, d)
		}
		if r := d.Resources[0]; r.ID != "res-"+d.ID+"-1" || r.Rows != SyntheticRows {
			t.Errorf("%s: resource %s rows %d", d.ID, r.ID, r.Rows)
		}
	}
	if len(usedDeps) != len(deps) || len(usedTopics) != len(topics) {
		t.Errorf("synthetic uses %d of %d departments, %d of %d topics", len(usedDeps), len(deps), len(usedTopics), len(topics))
	}
	if open["conditional"] == 0 || open["not_open"] == 0 || open["unconditional"] < n/2 {
		t.Errorf("open types %v", open)
	}
	// Queries hit realistic subsets: neither none nor all.
	for _, q := range []string{"企业", "哈尔滨", "公交", "学校", "食品安全", "企业登记", "空气质量", "南岗区"} {
		hits := 0
		for title := range titles {
			if strings.Contains(title, q) {
				hits++
			}
		}
		if hits == 0 || hits > n/3 {
			t.Errorf("query %s matches %d of %d titles", q, hits, n)
		}
	}
	// Resources render as valid CSV whose values match their types.
	for _, d := range list[:300] {
		var buf bytes.Buffer
		if err := d.Resources[0].Write(&buf); err != nil {
			t.Fatal(err)
		}
		demoCheckCSV(t, d, d.Resources[0], buf.Bytes())
	}
	// Dataset i does not depend on how the list was requested.
	tail := Synthetic(10, 1234)
	for j, d := range tail {
		e := list[1234+j]
		d.Resources, e.Resources = nil, nil
		if !demoEqualDataset(d, e) {
			t.Fatalf("Synthetic(10, 1234)[%d] differs from Synthetic(%d, 0)[%d]", j, n, 1234+j)
		}
	}
	var b1, b2 bytes.Buffer
	_ = tail[3].Resources[0].Write(&b1)
	_ = list[1237].Resources[0].Write(&b2)
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Error("resource bytes differ between calls")
	}
}

// BenchmarkSynthetic100k measures generating 100,000 datasets (target: well
// under 2 s per op).
func BenchmarkSynthetic100k(b *testing.B) {
	for b.Loop() {
		if len(Synthetic(100000, 0)) != 100000 {
			b.Fatal("short")
		}
	}
}

func BenchmarkSyntheticRender(b *testing.B) {
	list := Synthetic(1000, 0)
	var buf bytes.Buffer
	for b.Loop() {
		for _, d := range list {
			buf.Reset()
			if err := d.Resources[0].Write(&buf); err != nil {
				b.Fatal(err)
			}
		}
	}
}
