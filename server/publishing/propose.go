package publishing

import (
	"context"
	"fmt"
	"strings"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/profile"
	"github.com/hlj-opendata/portal/server/upload"
)

// ItemsProposal is a data dictionary proposed from a file: what the file
// holds (its profile columns) and the data items that would describe it.
// Nothing is stored; the provider edits the items, saves them with the
// draft and then uploads the same file.
type ItemsProposal struct {
	Rows      int64            `json:"rows"`
	DataItems []DataItem       `json:"data_items"`
	Columns   []profile.Column `json:"columns"`
}

// errProposeNotTable refuses a JSON file: its members carry no labels or
// order to propose items from. The handler answers 422.
var errProposeNotTable = apperr.New(apperr.Invalid, "propose from a CSV or XLSX file")

// editableDraft is the draft a change of e starts from, or why e cannot
// change now.
func editableDraft(e *entry) (Draft, error) {
	switch {
	case e.Working != nil && !e.Working.Status.Editable():
		return Draft{}, apperr.New(apperr.Conflict, "the entry is under review and cannot be changed until the authority decides")
	case e.Working != nil:
		d, err := e.Working.Draft()
		if err != nil {
			return Draft{}, apperr.Internalf(err, "decode draft of %s", e.ID)
		}
		return d, nil
	case e.Published.Status != catalog.StatusPublished:
		return Draft{}, apperr.New(apperr.Conflict, "the entry is %s and cannot be changed", e.Published.Status)
	}
	return DraftFromDataset(e.Published), nil
}

// ProposeItems profiles a CSV or XLSX file for an entry of the actor's
// department that declares no data items yet, and proposes its data
// items: names from the headers, types and domains from the values,
// required when no cell is empty. The file is read once from its
// temporary copy and removed; nothing is stored. The upload limits
// (size, columns, line length) apply as to any upload.
func (s *Service) ProposeItems(ctx context.Context, a Actor, id string, src FileSource) (*ItemsProposal, error) {
	e, err := s.loadOwned(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d, err := editableDraft(e)
	if err != nil {
		return nil, err
	}
	if len(d.DataItems) > 0 {
		return nil, apperr.New(apperr.Conflict, "the entry already declares its data items")
	}
	r, name, err := src()
	if err != nil {
		return nil, err
	}
	f, err := s.Uploads.Receive(ctx, r, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if f.Format != upload.CSV && f.Format != upload.XLSX {
		return nil, errProposeNotTable
	}
	opt := profile.Options{TempDir: s.Uploads.TempDir, Now: s.Now, Workbook: f.Format == upload.XLSX}
	var p *profile.Profiler
	defer func() {
		if p != nil {
			p.Close() // temporary files of a profile given up (harmless after Finish)
		}
	}()
	err = f.Rows(ctx, func(line int, cells []string) error {
		if p != nil {
			return p.Add(cells)
		}
		header, err := proposalHeader(cells)
		if err != nil {
			return err
		}
		p = profile.NewProfiler(header, nil, opt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fileProblem("the file is empty: the first row must name its columns")
	}
	res, err := p.Finish()
	if err != nil {
		return nil, apperr.Internalf(err, "profile the proposed file")
	}
	if res.Rows == 0 {
		return nil, fileProblem("the file has no data rows")
	}
	out := &ItemsProposal{Rows: res.Rows, DataItems: []DataItem{}, Columns: res.Columns}
	if out.Columns == nil {
		out.Columns = []profile.Column{}
	}
	for _, pr := range profile.Propose(res) {
		out.DataItems = append(out.DataItems, DataItem{Name: pr.Name, Label: pr.Label, Type: pr.Type, Domain: pr.Domain, Required: pr.Required})
	}
	return out, nil
}

// proposalHeader reads the first row as column names. Names must be
// present and distinct, as an upload against the proposed items needs.
func proposalHeader(cells []string) ([]string, error) {
	var v apperr.Validation
	header := make([]string, len(cells))
	seen := map[string]int{}
	for i, c := range cells {
		h := strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
		header[i] = h
		field := fmt.Sprintf("header[%d]", i+1)
		if h == "" {
			v.Add(field, "column %d has no name", i+1)
			continue
		}
		if j, dup := seen[h]; dup {
			v.Add(field, "%q repeats column %d", h, j+1)
			continue
		}
		seen[h] = i
	}
	if err := v.Err(); err != nil {
		e := err.(*apperr.Error)
		e.Message = "the first row must name every column once"
		return nil, e
	}
	return header, nil
}
