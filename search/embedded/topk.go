package embedded

import "slices"

// topK keeps the best size candidates seen, as a heap whose root is the
// worst kept one, so each offer is O(1) when it does not qualify.
type topK struct {
	size   int
	better func(a, b candidate) bool
	heap   []candidate
}

func newTopK(size int, better func(a, b candidate) bool) *topK {
	return &topK{size: size, better: better, heap: make([]candidate, 0, min(size, 1024))}
}

func (t *topK) offer(c candidate) {
	if len(t.heap) < t.size {
		t.heap = append(t.heap, c)
		t.up(len(t.heap) - 1)
		return
	}
	if !t.better(c, t.heap[0]) {
		return
	}
	t.heap[0] = c
	t.down(0)
}

// worse orders the heap: the root is the candidate every other beats.
func (t *topK) worse(i, j int) bool { return t.better(t.heap[j], t.heap[i]) }

func (t *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.worse(i, p) {
			return
		}
		t.heap[i], t.heap[p] = t.heap[p], t.heap[i]
		i = p
	}
}

func (t *topK) down(i int) {
	n := len(t.heap)
	for {
		w := i
		l, r := 2*i+1, 2*i+2
		if l < n && t.worse(l, w) {
			w = l
		}
		if r < n && t.worse(r, w) {
			w = r
		}
		if w == i {
			return
		}
		t.heap[i], t.heap[w] = t.heap[w], t.heap[i]
		i = w
	}
}

// sorted returns the kept candidates, best first.
func (t *topK) sorted() []candidate {
	out := slices.Clone(t.heap)
	slices.SortFunc(out, func(a, b candidate) int {
		if t.better(a, b) {
			return -1
		}
		if t.better(b, a) {
			return 1
		}
		return 0
	})
	return out
}
