package viz

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Failover is a Source over several managers' engines (swarmgen viz on the
// host of a lab reads every manager): it reads through the manager that
// last gave a good answer, one that knows a leader, and only when that one
// fails or knows none asks the others, in order; the first that knows a
// leader is used from then on. So a page open while the leader is cut off
// from the other managers follows the majority's view (the new leader, the
// old one unreachable) instead of the cut-off manager's. Model.Via names
// the manager that answered.
type Failover struct {
	Names   []string // the managers' node names, as Model.Via says them
	Sources []Source // one per name
	// Try bounds one manager's answer when there are others to ask
	// (default 4s): a manager cut off from the others may not answer.
	Try time.Duration

	mu  sync.Mutex
	cur int
}

// Snapshot reads through the current manager, then the others if need be.
// When none knows a leader it returns the current one's answer.
func (f *Failover) Snapshot(ctx context.Context) (*Model, error) {
	if len(f.Sources) == 0 {
		return nil, fmt.Errorf("no manager to read the swarm from")
	}
	f.mu.Lock()
	cur := f.cur
	f.mu.Unlock()
	try := f.Try
	if try <= 0 {
		try = 4 * time.Second
	}
	var first *Model
	var firstErr error
	order := []int{cur} // then the others in order
	for i := range f.Sources {
		if i != cur {
			order = append(order, i)
		}
	}
	for k, i := range order {
		tctx, cancel := ctx, context.CancelFunc(func() {})
		if len(f.Sources) > 1 {
			tctx, cancel = context.WithTimeout(ctx, try)
		}
		m, err := f.Sources[i].Snapshot(tctx)
		cancel()
		if err == nil && m != nil && m.Error == "" && leaderOf(m) != "" {
			m.Via = f.Names[i]
			f.mu.Lock()
			f.cur = i
			f.mu.Unlock()
			return m, nil
		}
		if k == 0 {
			first, firstErr = m, err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if firstErr != nil {
		return nil, fmt.Errorf("%s: %w", f.Names[cur], firstErr)
	}
	if first != nil {
		first.Via = f.Names[cur]
	}
	return first, nil
}
