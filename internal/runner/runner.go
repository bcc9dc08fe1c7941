// Package runner runs a rendered lab's generated scripts on the host
// (bootstrap.sh for up, plan and load; teardown.sh) and shows their steps
// as they go, and stops and loads images with the host's docker. Reading
// the running lab is package lab's job.
package runner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"github.com/swarmgen/swarmgen/internal/plan"
)

// UpOptions say how bootstrap.sh runs.
type UpOptions struct {
	Dir     string        // where the generated files are
	Wait    time.Duration // how long nodes and services may take
	Verbose bool          // stream every command and its output
	Force   bool          // apply changes the script refuses (SWARMGEN_FORCE)
	// Parallel is how many workers a roll-out of changed node containers
	// recreates at once (SWARMGEN_ROLLOUT_PARALLEL; 0: the script's 1)
	Parallel int
	Quiet    bool // print nothing but a failed step's error (returned)
	Out      io.Writer
	TTY      bool // draw spinners (the caller decides: a terminal, and NO_COLOR unset)
}

// StepError is a failed bootstrap step with what docker said.
type StepError struct {
	Step   string
	Output string
}

func (e *StepError) Error() string {
	if e.Step == "" {
		return fmt.Sprintf("bootstrap.sh failed between its steps:\n%s", strings.TrimRight(e.Output, "\n"))
	}
	return fmt.Sprintf("step %q failed (%s):\n%s", e.Step, title(e.Step), strings.TrimRight(e.Output, "\n"))
}

var (
	stepStart = regexp.MustCompile(`^==> (\S+)$`)
	stepEnd   = regexp.MustCompile(`^<== (\S+) (ok|FAILED) (\S+)$`)
)

// Up runs bootstrap.sh in opt.Dir and reports its steps.
func Up(ctx context.Context, opt UpOptions) error {
	return runScript(ctx, opt, "bootstrap.sh")
}

// Down runs teardown.sh in dir.
func Down(ctx context.Context, dir string, keepData bool, out io.Writer) error {
	args := []string{filepath.Join(dir, "teardown.sh")}
	if keepData {
		args = append(args, "--keep-data")
	}
	cmd := exec.CommandContext(ctx, "bash", args...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("teardown failed: %v\n%s", err, strings.TrimRight(buf.String(), "\n"))
	}
	fmt.Fprintln(out, " ✓ Lab removed")
	return nil
}

// Stop stops every container labelled as the lab's (ownlabels.Lab):
// nodes, the registry, and a node dropped from the spec but still
// running. It keeps their state (volumes, fixed addresses), so `swarmgen
// up` brings the same swarm back. It reads no compose file (nothing is
// rendered or written) and needs no compose at all.
func Stop(ctx context.Context, project string, out io.Writer) error {
	ids, err := dockercli.Run(ctx, "ps", "-q", "--filter", "label="+ownlabels.Lab+"="+project)
	if err != nil {
		return err
	}
	if running := strings.Fields(ids); len(running) > 0 {
		if _, err := dockercli.Run(ctx, append([]string{"stop"}, running...)...); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, " ✓ Lab stopped; `swarmgen start` (or up) starts it again with its swarm")
	return nil
}

func runScript(ctx context.Context, opt UpOptions, script string) error {
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(opt.Dir, script))
	cmd.Env = os.Environ()
	if opt.Wait > 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("SWARMGEN_WAIT=%d", int(opt.Wait.Seconds())))
	}
	if opt.Verbose {
		cmd.Env = append(cmd.Env, "SWARMGEN_VERBOSE=1")
	}
	if opt.Force {
		cmd.Env = append(cmd.Env, "SWARMGEN_FORCE=1")
	}
	if opt.Parallel > 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("SWARMGEN_ROLLOUT_PARALLEL=%d", opt.Parallel))
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var (
		mu     sync.Mutex
		stepIO bytes.Buffer // output of the running step, shown if it fails
	)
	// stderr goes to the same buffer: docker's own words reach the user.
	cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		stepIO.Write(b)
		if opt.Verbose {
			opt.Out.Write(b)
		}
		return len(b), nil
	})
	// a child the script leaves running with its stderr (a daemon, a
	// `docker logs -f`) must not keep Wait waiting once the script is done
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		return err
	}
	if opt.Quiet {
		opt.Out, opt.Verbose = io.Discard, false
	}
	p := &progress{out: opt.Out, tty: opt.TTY && !opt.Verbose && !opt.Quiet}
	var failed *StepError
	cur := ""
	// lines of any length: a bufio.Scanner stopped at 64 KiB, and the script
	// then blocked on a pipe nobody read, forever
	r := bufio.NewReader(stdout)
	for {
		line, rerr := r.ReadString('\n')
		if rerr != nil && line == "" {
			break
		}
		line = strings.TrimSuffix(line, "\n")
		switch m := (struct{ s, e []string }{stepStart.FindStringSubmatch(line), stepEnd.FindStringSubmatch(line)}); {
		case m.s != nil:
			cur = m.s[1]
			mu.Lock()
			stepIO.Reset()
			mu.Unlock()
			p.start(cur)
		case m.e != nil:
			p.end(m.e[1], m.e[2] == "ok", m.e[3])
			mu.Lock()
			if m.e[2] != "ok" {
				// its Output is taken once the script is done: stderr comes
				// through another pipe, and the step's last words (its
				// error) may arrive after this line
				failed = &StepError{Step: m.e[1]}
			} else if m.e[1] == "summary" && !opt.Verbose {
				opt.Out.Write(stepIO.Bytes())
			}
			mu.Unlock()
			cur = ""
		default:
			mu.Lock()
			stepIO.WriteString(line + "\n")
			mu.Unlock()
			if opt.Verbose {
				fmt.Fprintln(opt.Out, line)
			} else if cur == "rollout" {
				// the roll-out shows node by node: drained, recreated, Ready, active
				p.line(line)
			}
		}
	}
	io.Copy(io.Discard, stdout) // whatever follows a read error, so the script never blocks
	err = cmd.Wait()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil // the script itself succeeded; a child of it kept stderr open
	}
	if failed != nil {
		mu.Lock()
		failed.Output = stepIO.String()
		mu.Unlock()
		return failed
	}
	if err != nil {
		mu.Lock()
		defer mu.Unlock()
		if cur != "" {
			p.end(cur, false, "interrupted")
		}
		return &StepError{Step: cur, Output: fmt.Sprintf("%s\n%v", stepIO.String(), err)}
	}
	return nil
}

// waitDelay is how long Wait waits for the script's pipes once it exited
// (or for it to exit once its context is done).
var waitDelay = 2 * time.Second

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// Plan runs the lab's bootstrap.sh as rendered now (script: the spec may
// be newer than the files in dir) in plan mode against the files in dir,
// and returns what it would change. The script alone decides: this is
// the same code `up` runs, printing its changes instead of making them.
// compose is the lab's docker-compose.yml as rendered now (nil: a lab
// with none, of machines): the script reads it instead of the one in dir,
// which is the last one written, to tell which node containers compose
// would recreate.
func Plan(ctx context.Context, dir string, script, compose []byte) (plan.Plan, error) {
	return runPlan(ctx, dir, script, compose, "--plan")
}

// DownPlan is what `bootstrap.sh down` would remove from a lab of
// machines: the script's down mode, in plan mode.
func DownPlan(ctx context.Context, dir string, script []byte) (plan.Plan, error) {
	return runPlan(ctx, dir, script, nil, "down", "--plan")
}

func runPlan(ctx context.Context, dir string, script, compose []byte, args ...string) (plan.Plan, error) {
	scriptFile, err := tempFile("swarmgen-plan-*.sh", script)
	if err != nil {
		return plan.Plan{}, err
	}
	defer os.Remove(scriptFile)
	if _, err := os.Stat(dir); err != nil {
		dir = "." // never rendered: nothing of it is there to read
	}
	cmd := exec.CommandContext(ctx, "bash", append([]string{scriptFile}, args...)...)
	cmd.Env = append(os.Environ(), "SWARMGEN_LAB_DIR="+dir)
	if compose != nil {
		composeFile, err := tempFile("swarmgen-plan-*.yml", compose)
		if err != nil {
			return plan.Plan{}, err
		}
		defer os.Remove(composeFile)
		cmd.Env = append(cmd.Env, "SWARMGEN_COMPOSE_FILE="+composeFile)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(errb.String()), "error: "))
		if msg == "" {
			msg = err.Error()
		}
		return plan.Plan{}, fmt.Errorf("bootstrap.sh --plan: %s", msg)
	}
	return plan.Parse(out.String())
}

// tempFile writes data to a new temporary file named as pattern says
// (os.CreateTemp) and returns its path.
func tempFile(pattern string, data []byte) (string, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
