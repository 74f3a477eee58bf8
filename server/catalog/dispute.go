package catalog

import "context"

// DisputeChecker says which entries have an open correction report
// (server/corrections implements it). While a report is open the entry,
// and the data item it names, carry the under-dispute mark (异议标注) on
// the public page and in the API. No article asks for the mark: it is our
// way of telling users that data is being checked under 000 Art 24.
type DisputeChecker interface {
	// Disputes returns, for each given dataset id with an open report, the
	// names of the data items under dispute (empty when the reports name
	// none). Datasets without open reports are absent.
	Disputes(ctx context.Context, datasetIDs []string) (map[string][]string, error)
}

// markListDisputes sets under_dispute on list items. Without a checker
// nothing is marked; a failing checker fails the request rather than
// hiding a dispute.
func (h *Handler) markListDisputes(ctx context.Context, items []DatasetItemJSON) error {
	if h.Disputes == nil || len(items) == 0 {
		return nil
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	open, err := h.Disputes.Disputes(ctx, ids)
	if err != nil {
		return err
	}
	for i := range items {
		_, items[i].UnderDispute = open[items[i].ID]
	}
	return nil
}

// markDisputes sets under_dispute on an entry and its data items.
func (h *Handler) markDisputes(ctx context.Context, d *DatasetJSON) error {
	if h.Disputes == nil {
		return nil
	}
	open, err := h.Disputes.Disputes(ctx, []string{d.ID})
	if err != nil {
		return err
	}
	items, ok := open[d.ID]
	d.UnderDispute = ok
	for i := range d.DataItems {
		for _, name := range items {
			if d.DataItems[i].Name == name {
				d.DataItems[i].UnderDispute = true
			}
		}
	}
	return nil
}
