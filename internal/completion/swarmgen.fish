# fish completion for swarmgen, written by `swarmgen completion fish`.
# Save it with: swarmgen completion fish > ~/.config/fish/completions/swarmgen.fish
# Candidates come from `swarmgen __complete WORD...`, which only completes:
# it never runs a command, whatever the words are (`--` included).
function __swarmgen_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    $words[1] __complete $words[2..-1] "$cur" 2>/dev/null
end
complete -c swarmgen -f -a '(__swarmgen_complete)'
