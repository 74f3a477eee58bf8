package apptest

import (
	"fmt"
	"strings"

	"github.com/hlj-opendata/portal/server/calendar"
)

// Official2028 stands in for the official 2028 calendar file (test data,
// not a State Council notice): the statutory days of 2028 that the
// provisional calendar also has, plus extra days off, in the layout of
// seed/calendar/YYYY.json. Tests that replace the provisional 2028 with it
// see the due dates the extra days move.
func Official2028(extra ...calendar.Day) []byte {
	var days []string
	for _, d := range append(calendar.StatutoryDays(2028), extra...) {
		days = append(days, fmt.Sprintf(`{"date": %q, "name": %q}`, d.Date, d.Name))
	}
	return []byte(`{"year": 2028, "source": "test data", "off": [` + strings.Join(days, ", ") + `], "workdays": []}`)
}
