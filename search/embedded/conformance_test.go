package embedded

import (
	"testing"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/search/searchtest"
)

func TestConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index {
		e, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return e
	})
}
