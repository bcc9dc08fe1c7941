// Package doccheck checks the examples of the README and docs/ against the
// code, so that they cannot go stale: every spec in a ```yaml block
// validates as `swarmgen validate` would validate it, unless a marker just
// before the block says it is only part of a spec or not a spec at all
// (ExcerptMarker, NotSpecMarker), names the files it needs beside it
// (<!-- files: PATH... -->), or says it is invalid (InvalidMarker): then
// the next block shows its errors, exactly.
package doccheck

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator"
)

// The markers, each alone on the line just before a ```yaml block.
const (
	// ExcerptMarker: the block is part of a spec; it must still parse as YAML.
	ExcerptMarker = "<!-- excerpt -->"
	// NotSpecMarker: the block is YAML of another kind (a workflow); it must
	// still parse as YAML.
	NotSpecMarker = "<!-- not-a-spec -->"
	// InvalidMarker: the block is a spec that must fail to validate, with
	// exactly the errors the next code block shows.
	InvalidMarker = "<!-- invalid -->"
	// filesMarker, as <!-- files: certs/m1/ca.pem ... -->: the spec is
	// validated with these files beside it (empty), for an example that
	// names files the reader has and the test does not.
	filesMarker = "<!-- files:"
)

// Block is one fenced code block of a markdown file.
type Block struct {
	File   string
	Line   int    // of the opening fence, from 1
	Info   string // the fence's info string, e.g. yaml
	Marker string // the line before the fence when it is an HTML comment
	Text   string
}

var fence = regexp.MustCompile("^(```+|~~~+)\\s*([^`\\s]*)")

// Blocks returns the fenced code blocks of md, a markdown file named file.
func Blocks(file string, md []byte) ([]Block, error) {
	var blocks []Block
	var open *Block
	var closer, prev string
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if open != nil {
			// a closing fence: only the opening fence's character, at least as many
			if t := strings.TrimSpace(line); strings.HasPrefix(t, closer) && strings.Trim(t, closer[:1]) == "" {
				blocks = append(blocks, *open)
				open = nil
				prev = line // a marker before the block is not one for the next
			} else {
				open.Text += line + "\n"
			}
			continue
		}
		if m := fence.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			open = &Block{File: file, Line: n, Info: m[2]}
			closer = m[1]
			if p := strings.TrimSpace(prev); strings.HasPrefix(p, "<!--") && strings.HasSuffix(p, "-->") {
				open.Marker = p
			}
			continue
		}
		if strings.TrimSpace(line) != "" {
			prev = line
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if open != nil {
		return nil, fmt.Errorf("%s:%d: a code block is never closed", file, open.Line)
	}
	return blocks, nil
}

// isYAML says whether a block's info string names YAML.
func isYAML(b Block) bool { return b.Info == "yaml" || b.Info == "yml" }

// CheckSpecs checks every block: a ```yaml block without a marker must be a
// valid spec; one with ExcerptMarker or NotSpecMarker must parse as YAML;
// and a spec must not hide in a block of another kind, where nothing would
// check it. It returns one error a bad block, and how many specs it
// validated.
func CheckSpecs(blocks []Block) (errs []error, validated int) {
	for i, b := range blocks {
		where := fmt.Sprintf("%s:%d", b.File, b.Line)
		if !isYAML(b) {
			if strings.Contains(b.Text, "apiVersion: swarmgen.dev/") {
				errs = append(errs, fmt.Errorf("%s: a spec in a ```%s block; write it as ```yaml, where it is validated", where, b.Info))
			}
			continue
		}
		switch b.Marker {
		case InvalidMarker:
			validated++
			err := validate(b.Text, nil)
			switch {
			case err == nil:
				errs = append(errs, fmt.Errorf("%s: the spec marked %s validates", where, InvalidMarker))
			case i+1 == len(blocks) || isYAML(blocks[i+1]):
				errs = append(errs, fmt.Errorf("%s: the spec marked %s is not followed by a block of its errors", where, InvalidMarker))
			case strings.TrimSpace(blocks[i+1].Text) != strings.TrimSpace(err.Error()):
				errs = append(errs, fmt.Errorf("%s:%d: the errors shown are not those of the spec above; they are:\n%v", b.File, blocks[i+1].Line, err))
			}
		case ExcerptMarker, NotSpecMarker:
			var v any
			if err := yaml.Unmarshal([]byte(b.Text), &v); err != nil {
				errs = append(errs, fmt.Errorf("%s: the block marked %s is not YAML: %v", where, b.Marker, err))
			}
		default:
			validated++
			var files []string
			if rest, ok := strings.CutPrefix(b.Marker, filesMarker); ok {
				files = strings.Fields(strings.TrimSuffix(rest, "-->"))
			}
			if err := validate(b.Text, files); err != nil {
				errs = append(errs, fmt.Errorf("%s: this spec does not validate (lines count from the block's first line; if it is only part of a spec, put %s on the line before it):\n%v", where, ExcerptMarker, err))
			}
		}
	}
	return errs, validated
}

// validate loads text as `swarmgen validate` loads swarm.yaml, in a
// directory of its own (holding only the empty files named) so that it can
// read nothing else.
func validate(text string, files []string) error {
	dir, err := os.MkdirTemp("", "doccheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, f := range files {
		if !filepath.IsLocal(f) {
			return fmt.Errorf("the marker names %q, which is not a path inside the spec's directory", f)
		}
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return err
		}
	}
	path := filepath.Join(dir, "swarm.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return err
	}
	_, err = generator.Generate(generator.Options{SpecPath: path, OutDir: dir})
	if err != nil {
		return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""))
	}
	return nil
}

// QuickStart returns the command lines of the first ```sh block under the
// heading "## Quick start" of md, without their comments.
func QuickStart(file string, md []byte) ([]string, error) {
	i := bytes.Index(md, []byte("\n## Quick start\n"))
	if i < 0 {
		return nil, fmt.Errorf("%s has no \"## Quick start\" section", file)
	}
	section := md[i+1:]
	if j := bytes.Index(section[3:], []byte("\n## ")); j >= 0 {
		section = section[:j+3]
	}
	blocks, err := Blocks(file, section)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		if b.Info != "sh" {
			continue
		}
		var lines []string
		for _, l := range strings.Split(b.Text, "\n") {
			if l = strings.TrimSpace(comment.ReplaceAllString(l, "")); l != "" {
				lines = append(lines, l)
			}
		}
		return lines, nil
	}
	return nil, fmt.Errorf("%s: the quick start has no ```sh block", file)
}

// comment is a shell comment after a command (the quick start's commands
// hold no # of their own).
var comment = regexp.MustCompile(`(^|\s+)#\s.*$`)

// Link is a relative link of a markdown file: [text](Target#Anchor).
type Link struct {
	File   string
	Line   int
	Target string // a path relative to the file; "" for a link inside it
	Anchor string
}

var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// Links returns the relative links of md, outside code blocks and inline code.
func Links(file string, md []byte) []Link {
	var links []Link
	inBlock := false
	for n, line := range strings.Split(string(md), "\n") {
		if fence.MatchString(strings.TrimSpace(line)) {
			inBlock = !inBlock
			continue
		}
		if inBlock {
			continue
		}
		line = inlineCode.ReplaceAllString(line, "")
		for _, m := range link.FindAllStringSubmatch(line, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			l := Link{File: file, Line: n + 1, Target: target}
			if i := strings.Index(target, "#"); i >= 0 {
				l.Target, l.Anchor = target[:i], target[i+1:]
			}
			links = append(links, l)
		}
	}
	return links
}

var inlineCode = regexp.MustCompile("`[^`]*`")

// Anchors returns the anchors of md's headings, as GitHub makes them:
// lower case, punctuation dropped, spaces as hyphens.
func Anchors(md []byte) map[string]bool {
	anchors := map[string]bool{}
	blocks := 0
	for _, line := range strings.Split(string(md), "\n") {
		if fence.MatchString(strings.TrimSpace(line)) {
			blocks++
			continue
		}
		if blocks%2 == 1 || !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		anchors[b.String()] = true
	}
	return anchors
}
