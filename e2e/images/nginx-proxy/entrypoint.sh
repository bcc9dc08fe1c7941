#!/bin/sh
# nginx-proxy-entrypoint: entrypoint of swarmgen-e2e/nginx-proxy:latest, the
# end-to-end test's stand-in for gihyodocker/nginx-proxy.
#
# Environment:
#   BACKEND_HOST    host:port to proxy "/" to (required), e.g. echo_api:8080
#   NGINX_RESOLVER  DNS server used to re-resolve BACKEND_HOST (default: the
#                   first nameserver of /etc/resolv.conf, i.e. 127.0.0.11 on
#                   Docker user-defined and overlay networks)
# Arguments, if any, are exec'ed instead of nginx (e.g. "sh" to debug).
set -eu

: "${BACKEND_HOST:?BACKEND_HOST must be set, e.g. BACKEND_HOST=echo_api:8080}"
case "$BACKEND_HOST" in
*[!A-Za-z0-9._:-]*)
	echo "nginx-proxy-entrypoint: invalid BACKEND_HOST: $BACKEND_HOST" >&2
	exit 1
	;;
esac

resolver=${NGINX_RESOLVER:-}
if [ -z "$resolver" ]; then
	resolver=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf 2>/dev/null || :)
	resolver=${resolver:-127.0.0.11}
fi
case "$resolver" in
*:*) resolver="[$resolver]" ;; # IPv6 address
esac

sed -e "s|@BACKEND_HOST@|$BACKEND_HOST|g" -e "s|@RESOLVER@|$resolver|g" \
	/etc/nginx/nginx.conf.template >/etc/nginx/nginx.conf

if [ "$#" -gt 0 ]; then
	exec "$@"
fi
echo "nginx-proxy-entrypoint: proxying / to http://$BACKEND_HOST (resolver $resolver)" >&2
exec nginx -g 'daemon off;'
