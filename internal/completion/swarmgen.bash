# bash completion for swarmgen, written by `swarmgen completion bash`.
# Load it in ~/.bashrc with: source <(swarmgen completion bash)
# Candidates come from `swarmgen __complete WORD...`, which only completes:
# it never runs a command, whatever the words are (`--` included).
_swarmgen_complete() {
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    COMPREPLY+=("$line")
  done < <("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  # a directory is completed further, not ended with a space
  if [ "${#COMPREPLY[@]}" -eq 1 ] && [ "${COMPREPLY[0]%/}" != "${COMPREPLY[0]}" ]; then
    compopt -o nospace 2>/dev/null
  fi
}
complete -o bashdefault -o default -F _swarmgen_complete swarmgen
