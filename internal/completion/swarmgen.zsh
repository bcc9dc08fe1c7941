#compdef swarmgen
# zsh completion for swarmgen, written by `swarmgen completion zsh`.
# Load it in ~/.zshrc (after compinit) with: source <(swarmgen completion zsh),
# or save it as _swarmgen in a directory of $fpath.
# Candidates come from `swarmgen __complete WORD...`, which only completes:
# it never runs a command, whatever the words are (`--` included).
_swarmgen() {
  local -a opts
  opts=("${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ -n "${opts[1]}" ]]; then
    compadd -Q -- "${opts[@]}"
  else
    _files
  fi
}
if [[ "${funcstack[1]}" == "_swarmgen" ]]; then
  _swarmgen "$@"
else
  compdef _swarmgen swarmgen
fi
