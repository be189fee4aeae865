#!/bin/sh
# Runs in the nginx container before nginx starts (/docker-entrypoint.d). Uses the certificate
# in /etc/rollcall-tls (tls.crt + tls.key, e.g. from the school's CA: mount them with TLS_DIR),
# or generates a self-signed one there on first start. Either way it prints the SHA-256
# fingerprint: give it to the kiosks when pairing (--server-fingerprint, or the pairing form),
# or compare it with what they recorded on first contact.
set -eu
dir=/etc/rollcall-tls
crt="$dir/tls.crt"
key="$dir/tls.key"
if [ ! -s "$crt" ] || [ ! -s "$key" ]; then
  command -v openssl >/dev/null 2>&1 || apk add --no-cache openssl >/dev/null
  name="${TLS_HOSTNAME:-rollcall.local}"
  umask 077
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -keyout "$key" -out "$crt" -subj "/CN=$name" -addext "subjectAltName=DNS:$name" 2>/dev/null
  echo "rollcall-tls: generated a self-signed certificate for $name in $dir"
fi
command -v openssl >/dev/null 2>&1 || apk add --no-cache openssl >/dev/null
echo "rollcall-tls: server certificate $(openssl x509 -noout -fingerprint -sha256 -in "$crt")"
