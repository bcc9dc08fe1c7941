
# make_certificates: a CA, and a server and a client certificate for
# $TLS_SANS, into $TLS_DIR (the endpoint of a lab of containers, the
# registry of a lab of machines, which takes only the client certificate).
# Keys are 0600 in a 0700 directory that git ignores; the CA's key is
# thrown away, so no other certificate of that CA can ever be made.
make_certificates() {
  command -v openssl >/dev/null 2>&1 ||
    fail "openssl makes the certificates of the lab's Docker endpoint and is not installed; install it, or set 'docker_endpoint: false' in $SPEC_FILE"
  local parent=${TLS_DIR%/*} tmp who
  mkdir -p "$parent"
  [ -e "$parent/.gitignore" ] || printf '*\n' >"$parent/.gitignore"
  tmp=$(mktemp -d "$parent/tls.XXXXXX")
  if ! (
    set -e
    umask 077
    cd "$tmp"
    cat >openssl.cnf <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = swarmgen
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $TLS_SANS
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
EOF
    serial() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
    openssl ecparam -name prime256v1 -genkey -noout -out ca-key.pem
    openssl req -new -x509 -config openssl.cnf -extensions ca -key ca-key.pem -days 3650 \
      -set_serial "0x$(serial)" -subj "/CN=$API_CONTEXT CA" -out ca.pem
    for who in server client; do
      openssl ecparam -name prime256v1 -genkey -noout -out "$who-key.pem"
      openssl req -new -config openssl.cnf -key "$who-key.pem" -subj "/CN=$API_CONTEXT $who" -out "$who.csr"
      openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca-key.pem -set_serial "0x$(serial)" -days 825 \
        -extfile openssl.cnf -extensions "$who" -out "$who-cert.pem"
    done
  ) >"$tmp.log" 2>&1; then
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    fail "openssl could not make the certificates of the lab's Docker endpoint (its output is above)"
  fi
  # in place, file by file: the managers mount $TLS_DIR/server itself
  (umask 077 && mkdir -p "$TLS_DIR/server" "$TLS_DIR/client")
  for who in server client; do
    cp "$tmp/ca.pem" "$TLS_DIR/$who/ca.pem"
    mv -f "$tmp/$who-cert.pem" "$TLS_DIR/$who/cert.pem"
    mv -f "$tmp/$who-key.pem" "$TLS_DIR/$who/key.pem"
  done
  rm -rf "$tmp" "$tmp.log"
  printf '%s\n' "$TLS_SANS" >"$TLS_DIR/sans" # last: its absence means "make them again"
}
