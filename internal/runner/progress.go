package runner

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// stepTitles are what users read while a step runs.
var stepTitles = map[string]string{
	"preflight":      "Checking the host",
	"certificates":   "Making the Docker endpoint's certificates",
	"nodes-up":       "Starting nodes",
	"machines":       "Checking the machines",
	"down":           "Removing the lab from the machines",
	"swarm-init":     "Initialising the swarm",
	"remove-nodes":   "Removing nodes the spec no longer has",
	"swarm-join":     "Joining nodes",
	"rollout":        "Recreating changed nodes one at a time",
	"push-images":    "Pushing images to the lab registry",
	"networks":       "Creating overlay networks",
	"deploy":         "Deploying stacks and services",
	"prune":          "Removing what the spec no longer has",
	"docker-context": "Pointing the docker context at the lab",
	"wait-converged": "Waiting for services to converge",
	"summary":        "Summary",
}

func title(step string) string {
	if t, ok := stepTitles[step]; ok {
		return t
	}
	return step
}

// progress shows one line per step as kind does: a spinner while it runs
// on a terminal, a check mark and its duration when done. Off a terminal
// it prints plain lines without escape codes.
type progress struct {
	out  io.Writer
	tty  bool
	mu   sync.Mutex
	cur  string
	stop chan struct{}
	done chan struct{}
}

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func (p *progress) start(step string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cur = step
	if !p.tty {
		return
	}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go func(stop, done chan struct{}) {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			p.mu.Lock()
			fmt.Fprintf(p.out, "\r\033[K %s %s ", spinnerFrames[i%len(spinnerFrames)], title(step))
			p.mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}(p.stop, p.done)
}

// line shows a line of a step's progress (the roll-out's, node by node)
// above the spinner.
func (p *progress) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.out, "\r\033[K")
	}
	fmt.Fprintln(p.out, s)
}

func (p *progress) end(step string, ok bool, took string) {
	if p.stop != nil {
		close(p.stop)
		<-p.done
		p.stop = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	mark := "✓"
	if !ok {
		mark = "✗"
	}
	if p.tty {
		fmt.Fprint(p.out, "\r\033[K")
	}
	fmt.Fprintf(p.out, " %s %s (%s)\n", mark, title(step), took)
	p.cur = ""
}
