package site

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// shell renders a page without server data (its script fills it in).
func (h *Handler) shell(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return h.page(c, http.StatusOK, name, h.view(c))
	}
}
