package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/internal/builtinimage"
	"github.com/swarmgen/swarmgen/internal/lab"
	"github.com/swarmgen/swarmgen/internal/netfault"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

// netCommand is `swarmgen net partition|heal|delay|show`.
func netCommand() *cli.Command {
	labFlags := func(more ...cli.Flag) []cli.Flag {
		return append([]cli.Flag{specFlag(), allowOutsideFlag(), outFlag()}, more...)
	}
	usageErr := func(_ *cli.Context, err error, _ bool) error { return userError{err} }
	return &cli.Command{
		Name:  "net",
		Usage: "cut the lab network between groups of nodes, or slow one node's link, to watch the swarm react",
		Description: `Network faults between the lab's node containers, for the exercises of a
swarm course (swarmgen drill runs guided ones):
   swarmgen net partition manager01 manager02,manager03   manager01 is cut off from the other two
   swarmgen net partition worker02                        one group: cut off from the rest of the lab
   swarmgen net delay worker01 200ms --jitter 20ms --loss 5%
   swarmgen net show                                      what is in force
   swarmgen net heal                                      everything back
Nodes in different groups cannot reach each other on the lab network; each
group still reaches itself, a node named in no group reaches everyone, and
the host still reaches every node. The faults live inside each node's own
network namespace: iptables chain ` + netfault.Chain + ` (jumped to from INPUT and
OUTPUT) and a netem qdisc with handle ` + netfault.Handle + ` on the node's lab
interface, which heal removes, and nothing else. swarmgen up does not heal
them: it says they are in force, from the labels net gives the swarm's
nodes (` + ownlabels.NetCut + `, ` + ownlabels.NetDelay + `); down removes them with the containers.
A lab of machines is refused: a real machine's firewall is not a lab's business.`,
		Flags: labFlags(),
		Subcommands: []*cli.Command{
			delayerCommand(),
			rttCommand(),
			{
				Name: "partition", Usage: "cut the lab network between groups of nodes (replaces any partition in force)",
				ArgsUsage: "NODE[,NODE...] [NODE[,NODE...]...]", Flags: labFlags(), OnUsageError: usageErr,
				Action: func(c *cli.Context) error {
					l, err := netLab(c, "partition")
					if err != nil {
						return err
					}
					groups, err := netfault.ParseGroups(c.Args().Slice(), nodeNames(l))
					if err != nil {
						return userError{err}
					}
					if _, err := l.Partition(c.Context, groups); err != nil {
						return cli.Exit(err.Error(), exitUser)
					}
					var said []string
					for _, g := range groups {
						said = append(said, strings.Join(g, ","))
					}
					fmt.Fprintf(c.App.Writer, " ✓ partitioned: %s cannot reach each other (swarmgen net heal ends it)\n", strings.Join(said, " | "))
					return nil
				},
			},
			{
				Name: "heal", Usage: "remove every network fault swarmgen put on the lab's nodes",
				Flags: labFlags(), OnUsageError: usageErr,
				Action: func(c *cli.Context) error {
					if c.NArg() > 0 {
						return userErrorf("swarmgen net heal takes no arguments: it heals every node")
					}
					l, err := netLab(c, "heal")
					if err != nil {
						return err
					}
					states, err := l.Heal(c.Context)
					if err != nil {
						return cli.Exit(err.Error(), exitUser)
					}
					if was := netfault.Describe(states); was != "" {
						fmt.Fprintf(c.App.Writer, " ✓ healed; these faults were removed:\n%s\n", was)
					} else {
						fmt.Fprintln(c.App.Writer, " ✓ nothing to heal: no network fault was in force")
					}
					return nil
				},
			},
			{
				Name: "delay", Usage: "slow one node's lab link (netem on its lab interface: every packet it sends)",
				ArgsUsage: "NODE DELAY", OnUsageError: usageErr,
				Flags: labFlags(
					&cli.StringFlag{Name: "jitter", Usage: "the delay varies by up to this either way, e.g. 20ms"},
					&cli.StringFlag{Name: "loss", Usage: "drop this share of the packets, e.g. 5%"},
				),
				Action: func(c *cli.Context) error {
					if c.NArg() != 2 {
						return userErrorf("swarmgen net delay takes a node and a delay, e.g. swarmgen net delay worker01 200ms --jitter 20ms --loss 5%%")
					}
					n, err := netfault.ParseNetem(c.Args().Get(1), c.String("jitter"), c.String("loss"))
					if err != nil {
						return userError{err}
					}
					l, err := netLab(c, "delay")
					if err != nil {
						return err
					}
					s, err := l.Delay(c.Context, c.Args().First(), n)
					if err != nil {
						return cli.Exit(err.Error(), exitUser)
					}
					how := "netem " + n.String()
					if s.Via == "delayer" {
						how = n.String() + " (swarmgen's delayer in the node: this kernel has no netem)"
					}
					fmt.Fprintf(c.App.Writer, " ✓ %s: %s on %s (swarmgen net heal ends it)\n", s.Name, how, s.Iface)
					return nil
				},
			},
			{
				Name: "show", Usage: "show the network faults in force on the lab's nodes",
				Flags: labFlags(jsonFlag("[{name, container, running, address, interface, cut_off_from, netem}]")), OnUsageError: usageErr,
				Action: func(c *cli.Context) error {
					l, err := netLab(c, "show")
					if err != nil {
						return err
					}
					states, err := l.Read(c.Context)
					if err != nil {
						return cli.Exit(err.Error(), exitUser)
					}
					if c.Bool("json") {
						return printJSON(c, states)
					}
					printFaults(c.App.Writer, states)
					return nil
				},
			},
		},
	}
}

func printFaults(w io.Writer, states []netfault.State) {
	if d := netfault.Describe(states); d != "" {
		fmt.Fprintf(w, "network faults in force (swarmgen net heal removes them):\n%s\n", d)
		return
	}
	fmt.Fprintln(w, "no network fault in force")
}

// netLab is the lab of containers net acts on; a lab of machines is refused.
func netLab(c *cli.Context, verb string) (netfault.Lab, error) {
	res, cl, err := renderLab(c, false)
	if err != nil {
		return netfault.Lab{}, err
	}
	if res.Lab.Machines {
		return netfault.Lab{}, userErrorf("swarmgen net %s changes the firewall and traffic control of the lab's node containers, and this lab's nodes are machines (endpoint or context in the spec): changing a real machine's firewall is not a lab's business", verb)
	}
	l := netLabOf(res)
	l.Record = faultRecorder(c, cl)
	return l, nil
}

// faultRecorder records network faults as the nodes' labels in the swarm,
// where up's summary and the visualizers read them.
func faultRecorder(c *cli.Context, cl lab.Cluster) func(context.Context, map[string]map[string]string) {
	return func(ctx context.Context, labels map[string]map[string]string) {
		ctx, cancel := context.WithTimeout(ctx, recordWait)
		defer cancel()
		if err := cl.LabelNodes(ctx, labels); err != nil {
			fmt.Fprintf(c.App.ErrWriter, "warning: the swarm could not record the network faults (%v): swarmgen up may not say which are in force; swarmgen net show reads them from the nodes\n", err)
		}
	}
}

// recordWait is how long net waits for the swarm to record its faults: a
// partition just healed may leave it between leaders for a while (the
// drills measure how long; under 15 s on our machines).
var recordWait = 30 * time.Second

// netLabOf is the lab's nodes for net; a node whose kernel has no netem
// gets the delayer from the static Linux swarmgen for the engine's
// architecture, found as the builtin images find it (nothing is written).
func netLabOf(res *generator.Result) netfault.Lab {
	l := netfault.Lab{Subnet: res.Lab.Subnet, Binary: func() (string, error) {
		return builtinimage.Resolve(context.Background(), builtinimage.Detect())
	}}
	for _, n := range res.Lab.Nodes() {
		l.Nodes = append(l.Nodes, netfault.Node{Name: n.Name, Container: n.ContainerName})
	}
	return l
}

func nodeNames(l netfault.Lab) []string {
	var names []string
	for _, n := range l.Nodes {
		names = append(names, n.Name)
	}
	return names
}

// delayerCommand is what `net delay` runs inside a node whose kernel has
// no netem (netfault.Delayer); not for users.
func delayerCommand() *cli.Command {
	return &cli.Command{
		Name: "delayer", Hidden: true,
		Usage: "inside a node: hold the packets of netfilter queue " + fmt.Sprint(netfault.Queue) + " back (swarmgen net delay runs it)",
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "delay"}, &cli.DurationFlag{Name: "jitter"},
			&cli.BoolFlag{Name: "stop", Usage: "stop the delayer that runs"},
		},
		Action: func(c *cli.Context) error {
			pidfile := netfault.DelayerDir + "/delayer.pid"
			if c.Bool("stop") {
				return netfault.StopDelayer(pidfile)
			}
			ctx, stop := signal.NotifyContext(c.Context, syscall.SIGTERM, os.Interrupt)
			defer stop()
			if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
				return err
			}
			defer os.Remove(pidfile)
			return netfault.Delayer{Queue: netfault.Queue, Delay: c.Duration("delay"), Jitter: c.Duration("jitter")}.Run(ctx)
		},
	}
}

// rttCommand is what the slow-overlay drill runs inside a node: round
// trips from a task's network namespace to another task; not for users.
func rttCommand() *cli.Command {
	return &cli.Command{
		Name: "rtt", Hidden: true,
		Usage: "inside a node: TCP round trips from the network namespace of process --pid to --to (swarmgen drill slow-overlay runs it)",
		Flags: []cli.Flag{&cli.IntFlag{Name: "pid"}, &cli.StringFlag{Name: "to"}, &cli.IntFlag{Name: "count", Value: 5}},
		Action: func(c *cli.Context) error {
			rtts, err := netfault.RTT(c.Context, c.Int("pid"), c.String("to"), c.Int("count"))
			for _, d := range rtts {
				fmt.Fprintln(c.App.Writer, d.Microseconds())
			}
			return err
		},
	}
}
