preflight() {
  command -v docker >/dev/null 2>&1 || fail "docker is not installed"
  if [ "${#PASSWORD[@]}" -gt 0 ]; then
    password_file "${PASSWORD[0]}" "${PASSWORD[1]}" "${PASSWORD[2]}"
  fi
  host_check
}
