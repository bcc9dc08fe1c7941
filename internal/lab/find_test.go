package lab

import (
	"errors"
	"testing"
)

// A lab is read from docker ps's lines: its nodes by role, its directory,
// its Docker endpoint's address and where its registry is published.
func TestClusterOfLabels(t *testing.T) {
	ps := "lab-registry\tregistry\t\t/labs/a\t0.0.0.0:15001->5000/tcp, :::15001->5000/tcp\n" +
		"lab-manager02\tmanager\tmanager02\t/labs/a\t127.0.0.2:49154->2376/tcp\n" +
		"lab-manager01\tmanager\tmanager01\t/labs/a\t127.0.0.2:49153->2376/tcp\n" +
		"lab-worker01\tworker\tworker01\t/labs/a\t\n"
	cl, err := clusterOf("lab", ps)
	if err != nil {
		t.Fatal(err)
	}
	if got := cl.Managers; len(got) != 2 || got[0] != "lab-manager01" || got[1] != "lab-manager02" {
		t.Errorf("managers %v, want lab-manager01 lab-manager02 (in node order)", got)
	}
	if cl.Containers["worker01"] != "lab-worker01" || cl.Dir != "/labs/a" || cl.Registry != "lab-registry" {
		t.Errorf("cluster %+v", cl)
	}
	if !cl.Endpoint || cl.BindAddress != "127.0.0.2" {
		t.Errorf("endpoint %v on %q, want true on 127.0.0.2", cl.Endpoint, cl.BindAddress)
	}
	if cl.RegistryPublished != "0.0.0.0:15001" {
		t.Errorf("registry published at %q, want 0.0.0.0:15001", cl.RegistryPublished)
	}

	// a stopped registry publishes nothing
	cl, _ = clusterOf("lab", "lab-registry\tregistry\t\t/labs/a\t\n")
	if cl.RegistryPublished != "" || cl.Endpoint {
		t.Errorf("a stopped lab: %+v", cl)
	}
	if _, err := clusterOf("nope", ""); !errors.As(err, new(ErrNoLab)) {
		t.Errorf("no containers: %v, want ErrNoLab", err)
	}
}
