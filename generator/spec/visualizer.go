package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"reflect"
	"regexp"

	"github.com/distribution/reference"
	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/inputfile"
)

// VisualizerBuiltin selects swarmgen's own visualizer.
const VisualizerBuiltin = "builtin"

// VisualizerStack is the stack name the visualizer is deployed as.
const VisualizerStack = "visualizer"

// VisualizerSecret is the swarm secret holding the builtin visualizer's
// password (its versions are VisualizerSecret-DIGEST), and the file name
// the visualizer reads it from, in /run/secrets.
const VisualizerSecret = "visualizer-auth"

// VisualizerSecretVar is the variable of the visualizer's stack file
// naming the secret version to mount; bootstrap.sh sets it when it
// deploys the stack.
const VisualizerSecretVar = "SWARMGEN_VISUALIZER_SECRET"

var authUserRe = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

// decodeNode accepts `visualizer: IMAGE` as well as the mapping form.
func (vz *Visualizer) decodeNode(d *decoder, n *yaml.Node, path string) {
	switch {
	case isNull(n):
	case n.Kind == yaml.MappingNode:
		vz.FromMapping = true
		d.decodeStruct(n, reflect.ValueOf(vz).Elem(), path)
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
		d.decode(n, reflect.ValueOf(&vz.Image).Elem(), path)
	default:
		d.errorf(n, path, "must be builtin, an image, or a mapping with image and auth; got %s", describe(n))
	}
}

// Enabled reports whether a visualizer is deployed.
func (vz Visualizer) Enabled() bool { return vz.Image != "" }

// Builtin reports whether it is swarmgen's own.
func (vz Visualizer) Builtin() bool { return vz.Image == VisualizerBuiltin }

func (v *validator) visualizer(s *Spec) {
	vz := s.Visualizer
	if !vz.Enabled() {
		return
	}
	path := "visualizer"
	if vz.FromMapping {
		path = "visualizer.image"
	}
	if !vz.Builtin() {
		if _, err := reference.ParseNormalizedNamed(vz.Image); err != nil {
			v.errf(path, "%q is neither builtin nor a valid image reference: %v", vz.Image, err)
		} else {
			// a socket mounted :ro can still be written to: the API is the socket
			v.warnf(path, "%s gets a manager's Docker socket, which is control of that node and the swarm (:ro limits nothing on a socket); use builtin, which only reads, or an image you trust", vz.Image)
		}
	}
	if vz.Auth != nil {
		v.visualizerAuth(vz)
	}
	if vz.Auth == nil || !vz.Builtin() {
		// the page shows every node, service and image of the swarm
		switch a, err := netip.ParseAddr(s.BindAddress); {
		case s.HasMachines():
			v.warnf(path, "is served without a password on port 9000 of every machine, to anyone who reaches one; use image: builtin with auth (user and password_file), or firewall port 9000")
		case err == nil && !a.IsLoopback():
			v.warnf(path, "is served without a password, and bind_address %s publishes the lab's ports beyond this host; use image: builtin with auth (user and password_file), or bind_address: 127.0.0.1", s.BindAddress)
		}
	}
	for i, st := range s.Stacks {
		if st.Name == VisualizerStack || st.DeployAs == VisualizerStack {
			v.errf(fmt.Sprintf("stacks[%d]", i), "visualizer: %s deploys stack %q itself; rename this stack or remove the visualizer field", vz.Image, VisualizerStack)
		}
	}
}

func (v *validator) visualizerAuth(vz Visualizer) {
	a := vz.Auth
	if !vz.Builtin() {
		// another image would ignore the secret and serve without a password
		v.errf("visualizer.auth", "only the builtin visualizer reads a password; %s would serve without one: use image: builtin, or remove auth and put that image behind a proxy that asks for one", vz.Image)
	}
	if a.User == "" {
		v.errf("visualizer.auth.user", "give the user name the page asks for, e.g. user: admin")
	} else if !authUserRe.MatchString(a.User) {
		v.errf("visualizer.auth.user", "%q: a user name is 1 to 64 letters, digits and . _ @ -", a.User)
	}
	const field = "visualizer.auth.password_file"
	switch {
	case a.PasswordFile == "":
		v.errf(field, "give the file that holds the password, e.g. password_file: visualizer-password")
		return
	case !pathRe.MatchString(a.PasswordFile):
		v.errf(field, "%q: a path may only hold letters, digits and _ . / -", a.PasswordFile)
		return
	}
	full, ok := v.reach(field, a.PasswordFile)
	if !ok {
		return
	}
	_, err := inputfile.ReadPassword(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// the files render without it; bootstrap.sh stops until it exists
		v.warnf(field, "%s does not exist yet; write the visualizer's password into it before swarmgen up", a.PasswordFile)
	case err != nil:
		var tl *inputfile.TooLargeError
		if errors.As(err, &tl) {
			v.errf(field, "%s %v; a password file holds one line", a.PasswordFile, tl)
		} else {
			v.errf(field, "%s %v", a.PasswordFile, withoutPath(err))
		}
	}
}

// withoutPath is an error reading a file without the path the message
// already names (an error, not a string: msgf cuts strings short).
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
