package endpointdef

import "testing"

// What the runtime writes into a lab of machines' docker context reads
// back; nothing else reads as a record.
func TestRecordRoundTrip(t *testing.T) {
	r := Record{Lab: "fleet", Leader: "m1", Dir: "/home/me/my lab/files=out"}
	for _, extra := range [][]string{nil, {"certificate=123"}, {"from=lab-w2"}} {
		got, ok := ParseRecord(MachinesDescription(r, extra...))
		if !ok || got != r {
			t.Errorf("extra %v: got %+v %v, want %+v", extra, got, ok, r)
		}
	}
	for _, desc := range []string{
		"swarmgen lab, certificate 1",    // a lab of containers
		"swarmgen lab",                   // a lab of machines of an older swarmgen
		"swarmgen lab of machines lab=x", // no leader, no files
		"someone's own context",
		"",
	} {
		if r, ok := ParseRecord(desc); ok {
			t.Errorf("%q reads as a record: %+v", desc, r)
		}
	}
}
