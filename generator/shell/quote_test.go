package shell

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

var _ = goldenfile.Update // so that `go test ./... -update` is accepted here

var hostile = []string{
	"",
	"plain",
	"two words",
	"'",
	"''",
	`"`,
	`\`,
	`\'`,
	"it's",
	"$(touch /tmp/pwned)",
	"`id`",
	"${HOME}",
	"$HOME",
	"$'\\x41'",
	"'; rm -rf / #",
	"'\"'\"'",
	"a\nb",
	"\n",
	"line\r\nfeed",
	"tab\there",
	"*",
	"?[a-z]",
	"~root",
	"!!",
	"!$",
	"a;b|c&d>e<f",
	"{a,b}",
	"#comment",
	"-n",
	"--",
	"%s%d%%",
	"\x01\x02\x7f",
	"ünïcödé ✓",
	strings.Repeat("'", 100),
}

// bashPrintf runs `bash -c 'printf %s WORD'` with WORD = Quote(s) and
// returns what bash printed: s itself, if Quote is right.
func bashPrintf(t *testing.T, s string) string {
	t.Helper()
	out, err := exec.Command("bash", "-c", "printf %s "+Quote(s)).Output()
	if err != nil {
		t.Fatalf("bash -c 'printf %%s %s': %v", Quote(s), err)
	}
	return string(out)
}

func TestQuoteRoundTripsThroughBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	for _, s := range hostile {
		if got := bashPrintf(t, s); got != s {
			t.Errorf("Quote(%q) = %s; bash printed %q", s, Quote(s), got)
		}
	}
}

func TestInDoubleQuotesRoundTripsThroughBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	for _, s := range hostile {
		word := `"` + InDoubleQuotes(s) + `"`
		out, err := exec.Command("bash", "-c", "printf %s "+word).Output()
		if err != nil {
			t.Fatalf("bash -c 'printf %%s %s': %v", word, err)
		}
		if string(out) != s {
			t.Errorf("InDoubleQuotes(%q) = %s; bash printed %q", s, InDoubleQuotes(s), out)
		}
	}
}

func TestQuoteIsOneWord(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	// several quoted words stay as many arguments, never split or globbed
	args := []string{"a b", "*", "", "'; echo x", "$(id)"}
	var words []string
	for _, a := range args {
		words = append(words, Quote(a))
	}
	out, err := exec.Command("bash", "-c", "set -- "+strings.Join(words, " ")+`; for a in "$@"; do printf '[%s]' "$a"; done`).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "[a b][*][]['; echo x][$(id)]"; string(out) != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	_, err := exec.LookPath("bash")
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		if !strings.HasPrefix(q, "'") || !strings.HasSuffix(q, "'") {
			t.Fatalf("Quote(%q) = %s is not single-quoted", s, q)
		}
		// bash cannot pass a NUL byte in an argument
		if err != nil || strings.Contains(s, "\x00") {
			return
		}
		if got := bashPrintf(t, s); got != s {
			t.Fatalf("Quote(%q) = %s; bash printed %q", s, q, got)
		}
	})
}
