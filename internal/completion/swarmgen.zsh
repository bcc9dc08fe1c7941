#compdef swarmgen
# zsh completion for swarmgen, written by `swarmgen completion zsh`.
# Load it in ~/.zshrc (after compinit) with: source <(swarmgen completion zsh),
# or save it as _swarmgen in a directory of $fpath.
# Candidates come from swarmgen itself (urfave/cli's --generate-bash-completion).
_swarmgen() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
if [[ "${funcstack[1]}" == "_swarmgen" ]]; then
  _swarmgen "$@"
else
  compdef _swarmgen swarmgen
fi
