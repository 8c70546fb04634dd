#!/usr/bin/env bash
# Regenerates every TLS test fixture in this directory (tests/certs/). Uses only `openssl`
# (tested with OpenSSL 3.0). Safe to run again: every output file is rewritten.
#
#   bash tests/certs/make_certs.sh
#
# Keys: RSA 2048 (PKCS#8 PEM). Every certificate is issued with `openssl ca` and explicit
# -startdate/-enddate, so the validity dates are fixed (see DAYS below), not "now + N days".
# Leaf certificates carry basicConstraints=critical,CA:FALSE: Deno's TLS (rustls) rejects a CA
# certificate used as an end entity (CaUsedAsEndEntity).
set -euo pipefail

OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Validity: 100 years for everything that should not expire; January 2020 for expired.pem.
VALID_FROM="20250101000000Z"  # 2025-01-01 00:00:00 UTC
VALID_UNTIL="21250101000000Z" # 2125-01-01 00:00:00 UTC
EXPIRED_FROM="20200101000000Z"
EXPIRED_UNTIL="20200201000000Z"
PASSWORD="pynet-password"

# A throwaway config: `openssl ca` bookkeeping lives in $WORK, extensions per kind of cert.
# It is passed explicitly everywhere, so the system openssl.cnf plays no part.
cat >"$WORK/openssl.cnf" <<EOF
[ ca ]
default_ca = test_ca

[ test_ca ]
dir              = $WORK
database         = $WORK/index.txt
new_certs_dir    = $WORK/newcerts
serial           = $WORK/serial
default_md       = sha256
policy           = policy_any
unique_subject   = no
copy_extensions  = none
email_in_dn      = no
preserve         = yes

[ policy_any ]
commonName       = supplied

[ req ]
distinguished_name = req_dn
prompt             = no
utf8               = yes
string_mask        = utf8only

[ req_dn ]
CN = placeholder

[ ext_ca ]
basicConstraints       = critical,CA:TRUE
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash

[ ext_server ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost,IP:127.0.0.1,IP:::1

[ ext_client ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ext_wronghost ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:other.example

[ ext_selfsigned ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
subjectAltName         = DNS:localhost,IP:127.0.0.1,IP:::1
EOF
mkdir "$WORK/newcerts"
: >"$WORK/index.txt"
openssl rand -hex 16 >"$WORK/serial" # unused: every cert gets -rand_serial

# quiet CMD...: runs CMD with its chatter hidden, showing it only if CMD fails.
quiet() {
  if ! "$@" >"$WORK/log" 2>&1; then
    cat "$WORK/log" >&2
    echo "make_certs.sh: failed: $*" >&2
    exit 1
  fi
}

# newkey NAME: a fresh RSA 2048 key in $OUT/NAME.key (PKCS#8, unencrypted).
newkey() {
  quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/$1.key"
  cp "$WORK/$1.key" "$OUT/$1.key"
  chmod 644 "$OUT/$1.key" # test fixtures, not secrets
}

# csr NAME CN: a certificate request for NAME.key with subject CN.
csr() {
  openssl req -new -config "$WORK/openssl.cnf" -key "$WORK/$1.key" -subj "/CN=$2" \
    -out "$WORK/$1.csr"
}

# sign NAME EXT FROM UNTIL [extra openssl ca args...]: issues $OUT/NAME.pem from NAME.csr.
sign() {
  local name="$1" ext="$2" from="$3" until="$4"
  shift 4
  quiet openssl ca -batch -config "$WORK/openssl.cnf" -notext -rand_serial \
    -in "$WORK/$name.csr" -out "$WORK/$name.pem" -extensions "$ext" \
    -startdate "$from" -enddate "$until" "$@"
  cp "$WORK/$name.pem" "$OUT/$name.pem"
}

# The CA: self-signed, CA:TRUE.
newkey ca
csr ca "pynet test CA"
sign ca ext_ca "$VALID_FROM" "$VALID_UNTIL" -selfsign -keyfile "$WORK/ca.key"

BY_CA=(-cert "$WORK/ca.pem" -keyfile "$WORK/ca.key")

newkey server
csr server localhost
sign server ext_server "$VALID_FROM" "$VALID_UNTIL" "${BY_CA[@]}"

newkey client
csr client "pynet test client"
sign client ext_client "$VALID_FROM" "$VALID_UNTIL" "${BY_CA[@]}"

newkey expired
csr expired localhost
sign expired ext_server "$EXPIRED_FROM" "$EXPIRED_UNTIL" "${BY_CA[@]}"

newkey wronghost
csr wronghost other.example
sign wronghost ext_wronghost "$VALID_FROM" "$VALID_UNTIL" "${BY_CA[@]}"

newkey selfsigned
csr selfsigned localhost
sign selfsigned ext_selfsigned "$VALID_FROM" "$VALID_UNTIL" -selfsign -keyfile "$WORK/selfsigned.key"

# Bundles: leaf + CA, and cert + key in one file (Python's load_cert_chain(certfile) form).
cat "$OUT/server.pem" "$OUT/ca.pem" >"$OUT/server_chain.pem"
cat "$OUT/server.pem" "$OUT/server.key" >"$OUT/server_combined.pem"

# The server key, encrypted (PKCS#8, AES-256-CBC) with $PASSWORD.
openssl pkey -in "$OUT/server.key" -aes-256-cbc -passout "pass:$PASSWORD" -out "$OUT/encrypted.key"
chmod 644 "$OUT/encrypted.key"

# Self-checks: the chain verifies, the leaves are not CAs, the expired one is expired.
openssl verify -CAfile "$OUT/ca.pem" "$OUT/server.pem" "$OUT/client.pem" "$OUT/wronghost.pem" >/dev/null
if openssl verify -CAfile "$OUT/ca.pem" "$OUT/expired.pem" >/dev/null 2>&1; then
  echo "make_certs.sh: expired.pem unexpectedly verifies" >&2
  exit 1
fi
for leaf in server client expired wronghost selfsigned; do
  if ! openssl x509 -in "$OUT/$leaf.pem" -noout -ext basicConstraints | grep -q "CA:FALSE"; then
    echo "make_certs.sh: $leaf.pem is not CA:FALSE" >&2
    exit 1
  fi
done
openssl pkey -in "$OUT/encrypted.key" -passin "pass:$PASSWORD" -noout

echo "make_certs.sh: wrote certificates and keys to $OUT"
