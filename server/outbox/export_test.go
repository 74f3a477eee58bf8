package outbox

// OnRenew lets tests see each renewal's outcome.
func OnRenew(w *Worker, f func(owned bool, err error)) { w.renewed = f }
