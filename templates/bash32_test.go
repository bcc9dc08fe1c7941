package templates

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// bash32Missing is what macOS's /bin/bash (3.2) lacks: the one list the
// runtime is linted against. Each entry finds its feature in a parsed file
// and carries a sample that has it (the lint of the lint). No bash 3.2 runs
// on the project's machines, so this list is the guard.
var bash32Missing = []struct {
	what   string
	sample string
	found  func(syntax.Node) bool
}{
	{"mapfile/readarray (bash 4.0)", "mapfile -t lines <f", command("mapfile", "readarray")},
	{"coproc (bash 4.0)", "coproc cat", func(n syntax.Node) bool { _, ok := n.(*syntax.CoprocClause); return ok }},
	{"associative arrays, declare -A (bash 4.0)", "declare -A seen", declFlag('A')},
	{"namerefs, declare -n (bash 4.3)", "f() { local -n ref=$1; }", declFlag('n')},
	{"wait -n (bash 4.3)", "sleep 1 & wait -n", func(n syntax.Node) bool {
		c, ok := n.(*syntax.CallExpr)
		return ok && len(c.Args) > 1 && c.Args[0].Lit() == "wait" && slices.ContainsFunc(c.Args[1:], func(w *syntax.Word) bool { return strings.HasPrefix(w.Lit(), "-") && strings.Contains(w.Lit(), "n") })
	}},
	{"[[ -v NAME ]] (bash 4.2)", "[[ -v x ]] && echo set", func(n syntax.Node) bool {
		u, ok := n.(*syntax.UnaryTest)
		return ok && (u.Op == syntax.TsVarSet || u.Op == syntax.TsRefVar)
	}},
	{"&>> (bash 4.0)", "echo hi &>>log", func(n syntax.Node) bool { r, ok := n.(*syntax.Redirect); return ok && r.Op == syntax.AppAll }},
	{"|& (bash 4.0)", "make |& tee log", func(n syntax.Node) bool { b, ok := n.(*syntax.BinaryCmd); return ok && b.Op == syntax.PipeAll }},
	{"case ;& and ;;& (bash 4.0)", "case x in x) echo ;;& *) echo ;; esac", func(n syntax.Node) bool {
		c, ok := n.(*syntax.CaseItem)
		return ok && (c.Op == syntax.Fallthrough || c.Op == syntax.Resume)
	}},
	{"${x,,} ${x^^} ${x,} ${x^} (bash 4.0)", `echo "${x,,}"`, paramOp(syntax.UpperFirst, syntax.UpperAll, syntax.LowerFirst, syntax.LowerAll)},
	{"${x@Q} and the other @ operators (bash 4.4)", `echo "${x@Q}"`, paramOp(syntax.OtherParamOps)},
	{"negative array subscripts ${a[-1]} (bash 4.3)", `echo "${a[-1]}"`, func(n syntax.Node) bool {
		p, ok := n.(*syntax.ParamExp)
		if !ok || p.Index == nil {
			return false
		}
		u, ok := p.Index.(*syntax.UnaryArithm)
		return ok && u.Op == syntax.Minus
	}},
	// EPOCHREALTIME (bash 5.0) and "${a[@]}" of an empty array under set -u
	// (an error before bash 4.4) need to know what guards them: see lint.
	{"EPOCHREALTIME without a fallback (bash 5.0)", `now=${EPOCHREALTIME/./}`, nil},
	{`"${a[@]}" of an array that may be empty, under set -u (bash 4.4); write ${a[@]+"${a[@]}"}`, `f() { local a=(); g "${a[@]}"; }`, nil},
}

// neverEmpty are the header's arrays that always have an element (a lab
// has a manager): they expand under set -u without a guard.
var neverEmpty = []string{"MANAGERS", "MANAGER_ADDRS", "NODES"}

func command(names ...string) func(syntax.Node) bool {
	return func(n syntax.Node) bool {
		c, ok := n.(*syntax.CallExpr)
		return ok && len(c.Args) > 0 && slices.Contains(names, c.Args[0].Lit())
	}
}

func declFlag(flag rune) func(syntax.Node) bool {
	return func(n syntax.Node) bool {
		d, ok := n.(*syntax.DeclClause)
		if !ok {
			return false
		}
		for _, a := range d.Args {
			if a.Naked && a.Value != nil && strings.HasPrefix(a.Value.Lit(), "-") && strings.ContainsRune(a.Value.Lit(), flag) {
				return true
			}
		}
		return false
	}
}

func paramOp(ops ...syntax.ParExpOperator) func(syntax.Node) bool {
	return func(n syntax.Node) bool {
		p, ok := n.(*syntax.ParamExp)
		return ok && p.Exp != nil && slices.Contains(ops, p.Exp.Op)
	}
}

// lint is every use in the bash source src of a feature bash 3.2 lacks,
// "file:line:col: what".
func lint(name, src string) ([]string, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), name)
	if err != nil {
		return nil, err
	}
	var problems []string
	report := func(n syntax.Node, what string) {
		problems = append(problems, fmt.Sprintf("%s:%s: %s", name, n.Pos(), what))
	}
	var walk func(n syntax.Node, epochGuarded bool)
	walk = func(root syntax.Node, epochGuarded bool) {
		syntax.Walk(root, func(n syntax.Node) bool {
			if n == nil {
				return true
			}
			for _, m := range bash32Missing {
				if m.found != nil && m.found(n) {
					report(n, m.what)
				}
			}
			switch n := n.(type) {
			case *syntax.IfClause:
				// if [ -n "${EPOCHREALTIME:-}" ]; then ...: its then-branch
				// may read EPOCHREALTIME
				if n.Cond != nil && strings.Contains(printed(n.Cond), "${EPOCHREALTIME:-}") {
					for _, s := range n.Cond {
						walk(s, epochGuarded)
					}
					for _, s := range n.Then {
						walk(s, true)
					}
					if n.Else != nil {
						walk(n.Else, epochGuarded)
					}
					return false
				}
			case *syntax.ParamExp:
				if n.Param == nil {
					return true
				}
				if n.Param.Value == "EPOCHREALTIME" && !epochGuarded &&
					(n.Exp == nil || (n.Exp.Op != syntax.DefaultUnsetOrNull && n.Exp.Op != syntax.DefaultUnset)) {
					report(n, bash32Missing[len(bash32Missing)-2].what)
				}
				if n.Exp != nil && (n.Exp.Op == syntax.AlternateUnset || n.Exp.Op == syntax.AlternateUnsetOrNull) {
					return false // ${a[@]+"${a[@]}"}: the guard; what it guards expands only when set
				}
				if idx, ok := n.Index.(*syntax.Word); ok && !n.Length && (idx.Lit() == "@" || idx.Lit() == "*") &&
					!slices.Contains(neverEmpty, n.Param.Value) {
					report(n, n.Param.Value+": "+bash32Missing[len(bash32Missing)-1].what)
				}
			}
			return true
		})
	}
	walk(f, false)
	return problems, nil
}

func printed(stmts []*syntax.Stmt) string {
	var b strings.Builder
	for _, s := range stmts {
		_ = syntax.NewPrinter().Print(&b, s)
	}
	return b.String()
}

// The runtime runs on bash 3.2 (macOS's /bin/bash): it uses nothing on
// the list above.
func TestRuntimeRunsOnBash32(t *testing.T) {
	for _, name := range RuntimeFiles {
		src, err := FS.ReadFile("runtime/" + name)
		if err != nil {
			t.Fatal(err)
		}
		problems, err := lint(name, string(src))
		if err != nil {
			t.Fatalf("%s does not parse: %v", name, err)
		}
		for _, p := range problems {
			t.Error(p)
		}
	}
}

// The lint finds each feature of its list in a sample, and nothing in the
// ways the runtime spells the same things for bash 3.2.
func TestBash32LintFindsEachFeature(t *testing.T) {
	for _, m := range bash32Missing {
		problems, err := lint("sample", m.sample)
		if err != nil {
			t.Fatalf("%s: the sample does not parse: %v", m.what, err)
		}
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasSuffix(p, " "+m.what) }) {
			t.Errorf("the lint does not find %s in %q (found %v)", m.what, m.sample, problems)
		}
	}
	clean := `
while IFS= read -r line; do lines+=("$line"); done <f
f() { local a=(); g ${a[@]+"${a[@]}"}; echo "${#a[@]}" "${NODES[@]}"; }
if [ -n "${EPOCHREALTIME:-}" ]; then now=${EPOCHREALTIME/./}; else now=$(date +%s); fi
wait "$pid"
[ -n "${x:-}" ] && echo "${x}" >>log 2>&1
printf -v y '%s' "$x"
case x in x) echo ;; esac
`
	if problems, err := lint("clean", clean); err != nil || len(problems) > 0 {
		t.Errorf("bash 3.2 code: %v %v", problems, err)
	}
}
