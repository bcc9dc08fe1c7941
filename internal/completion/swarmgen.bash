# bash completion for swarmgen, written by `swarmgen completion bash`.
# Load it in ~/.bashrc with: source <(swarmgen completion bash)
# Candidates come from swarmgen itself (urfave/cli's --generate-bash-completion).
_swarmgen_complete() {
  local cur="${COMP_WORDS[COMP_CWORD]}" IFS=$'\n'
  local -a words=("${COMP_WORDS[@]:0:COMP_CWORD}")
  if [[ "$cur" == -* ]]; then
    words+=("$cur")
  fi
  COMPREPLY=($(compgen -W "$("${words[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
}
complete -o bashdefault -o default -F _swarmgen_complete swarmgen
