package revocations

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// GonePages makes the page URL of a withdrawn dataset (/datasets/{id})
// answer 410 Gone like its API URL, so crawlers and link checkers learn the
// data is gone; the page itself still renders the tombstone from the API.
func (s *Service) GonePages(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			return next(c)
		}
		id, ok := strings.CutPrefix(req.URL.Path, "/datasets/")
		if !ok || !validDatasetID(id) {
			return next(c)
		}
		if t, err := s.Tombstone(req.Context(), id, ""); err == nil && t != nil {
			res := c.Response()
			res.Before(func() {
				if res.Status == http.StatusOK {
					res.Status = http.StatusGone // 304 and errors pass unchanged
				}
			})
		}
		return next(c)
	}
}
