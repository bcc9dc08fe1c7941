package spec

import (
	"hash/fnv"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// Host offsets inside the lab subnet. Fixed offsets keep every node's
// address stable across restarts and across edits of other nodes.
const (
	GatewayOffset  = 1
	RegistryOffset = 2
	managerOffset  = 10
)

// workerOffset leaves room for the managers before the first worker.
func workerOffset(managers int) int {
	return managerOffset + max(10, (managers+9)/10*10)
}

// DefaultSubnet picks a subnet in 10.247.0.0/16 from the lab name, large
// enough for nodes, so two labs with different names rarely collide.
func DefaultSubnet(name string, managers, workers int) string {
	need := workerOffset(managers) + workers + 2
	bits := 24
	for (1<<(32-bits))-2 < need && bits > 16 {
		bits -= 2
	}
	block := 1 << (24 - bits) // how many /24s the subnet spans
	third := 0                // the unnamed (classic) lab's 10.247.0.0/24
	if slots := 256/block - 1; name != "" && slots > 0 {
		// one of the blocks after the first, which the classic lab uses
		h := fnv.New32a()
		h.Write([]byte(name))
		third = block * (1 + int(h.Sum32()%uint32(slots)))
	}
	return "10.247." + strconv.Itoa(third) + ".0/" + strconv.Itoa(bits)
}

// hostAddr is the address at offset inside prefix, or false if outside.
func hostAddr(p netip.Prefix, offset int) (netip.Addr, bool) {
	a := p.Masked().Addr().As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v += uint32(offset)
	addr := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	size := 1 << (32 - p.Bits())
	return addr, p.Contains(addr) && offset > 0 && offset < size-1
}

// RegistryAddress is the registry's fixed address in subnet.
func RegistryAddress(subnet string) string {
	p, err := netip.ParsePrefix(subnet)
	if err != nil {
		return ""
	}
	a, _ := hostAddr(p, RegistryOffset)
	return a.String()
}

var numberSuffix = regexp.MustCompile(`^(manager|worker)0*(\d+)$`)

// assignAddresses gives every node without an address a fixed one:
// managerNN at .10+NN-1, workerNN at the worker offset+NN-1, others the
// next free address of their group's range.
func assignAddresses(s *Spec) {
	p, err := netip.ParsePrefix(s.LabNetwork.Subnet)
	if err != nil || !p.Addr().Is4() {
		return
	}
	used := map[string]bool{}
	for _, off := range []int{GatewayOffset, RegistryOffset} {
		a, _ := hostAddr(p, off)
		used[a.String()] = true
	}
	for _, g := range []*NodeGroup{&s.Managers, &s.Workers} {
		for _, n := range g.Nodes {
			if n.Address != "" {
				used[n.Address] = true
			}
		}
	}
	groups := []struct {
		nodes []Node
		base  int
		role  string
	}{
		{s.Managers.Nodes, managerOffset, "manager"},
		{s.Workers.Nodes, workerOffset(len(s.Managers.Nodes)), "worker"},
	}
	for _, g := range groups {
		next := g.base
		for i := range g.nodes {
			n := &g.nodes[i]
			if n.Address != "" {
				continue
			}
			if m := numberSuffix.FindStringSubmatch(n.Name); m != nil && m[1] == g.role {
				num, _ := strconv.Atoi(m[2])
				if a, ok := hostAddr(p, g.base+num-1); ok && num > 0 && !used[a.String()] {
					n.Address = a.String()
					used[n.Address] = true
					continue
				}
			}
			for {
				a, ok := hostAddr(p, next)
				if !ok {
					break // subnet full: validation reports the missing address
				}
				next++
				if !used[a.String()] {
					n.Address = a.String()
					used[n.Address] = true
					break
				}
			}
		}
	}
}

// isIPv4Subnet reports whether s is an IPv4 CIDR with its host bits zero.
func isIPv4Subnet(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return netip.Prefix{}, false
	}
	return p, true
}
