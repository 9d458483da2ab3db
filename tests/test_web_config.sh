#!/usr/bin/env bash
# --web-config: /metrics over TLS with basic auth, in Prometheus
# exporter-toolkit's format. Certificates from openssl (a CA, a server
# certificate for 127.0.0.1, a client certificate, and a stranger CA's),
# bcrypt hashes from libcrypt (Python's crypt). Bad files: exit 2 and one
# line naming the key. Live, in a network namespace of its own (wirelat on
# its lo): curl without credentials, with a wrong password, an unknown
# user, the right one; plain HTTP to the TLS port; client certificates
# under RequireAndVerifyClientCert; then Debian's Prometheus scraping over
# TLS with basic_auth (its target up, a wirelat metric queried back) and a
# second job with a wrong password (down, 401). Everything is waited for
# as a state with a deadline; the trap kills what was started and removes
# the namespace and files.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh

PROMETHEUS=${PROMETHEUS:-$(command -v prometheus || echo /usr/bin/prometheus)}
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
command -v openssl >/dev/null && command -v curl >/dev/null ||
	{ echo "FAIL: openssl and curl are needed"; exit 1; }

NS=wlweb-$$
tmp=$(mktemp -d /tmp/wl-web.XXXXXX)
chmod 755 "$tmp"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT

# ---- certificates and hashes ------------------------------------------------
cert() {	# NAME CN SIGNER [SAN]: NAME.key, NAME.crt signed by SIGNER (or self)
	local ext=()
	[ -n "${4:-}" ] && { printf 'subjectAltName=%s\n' "$4" >"$tmp/$1.ext"; ext=(-extfile "$tmp/$1.ext"); }
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
		-keyout "$tmp/$1.key" -out "$tmp/$1.csr" 2>/dev/null || return 1
	if [ "$3" = self ]; then
		openssl x509 -req -in "$tmp/$1.csr" -signkey "$tmp/$1.key" -days 2 \
			-out "$tmp/$1.crt" 2>/dev/null
	else
		openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$3.crt" -CAkey "$tmp/$3.key" \
			-CAcreateserial -days 2 "${ext[@]}" -out "$tmp/$1.crt" 2>/dev/null
	fi
}
cert ca wl-test-ca self && cert server 127.0.0.1 ca "IP:127.0.0.1" &&
	cert client scraper ca && cert other other-ca self && cert stranger scraper other ||
	{ echo "FAIL: openssl could not make the test certificates"; exit 1; }
bcrypt() {	# PASSWORD PREFIX: a bcrypt hash of cost 10 from libcrypt
	"$PY" -W ignore -c 'import crypt, sys
h = crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10))
print(sys.argv[2] + h[4:])' "$1" "$2"
}
HASH_Y=$(bcrypt 's3cret pass' '$2y$')	# htpasswd's prefix, as exporter-toolkit documents
HASH_B=$(bcrypt 'other' '$2b$')
[[ $HASH_Y == '$2y$10$'* && ${#HASH_Y} -eq 60 ]] || { echo "FAIL: no bcrypt hash from libcrypt: $HASH_Y"; exit 1; }

cat >"$tmp/web.yml" <<EOF
# exporter-toolkit's web config; paths relative to this file
tls_server_config:
  cert_file: server.crt
  key_file: "$tmp/server.key"
basic_auth_users:
  alice: '$HASH_Y'
  bob: $HASH_B
EOF
cat >"$tmp/mtls.yml" <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
EOF

# ---- bad files: exit 2, one line naming the key -------------------------------
src=pcaps/tcp-ipv4.pcap
bad_file() {	# DESCRIPTION PATTERN: the YAML on stdin
	local what=$1 pat=$2 rc
	cat >"$tmp/bad.yml"
	"$WIRELAT" -r "$src" --web-config "$tmp/bad.yml" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -qE "$pat" "$tmp/err"; then
		fail "$what: exit $rc, want 2 and one line matching '$pat': $(cat "$tmp/err")"
	else
		ok "$what: $(cat "$tmp/err")"
	fi
}
bad_file "unknown key" "tls_server_config.keyfile: unknown key" <<EOF
tls_server_config:
  cert_file: server.crt
  keyfile: server.key
EOF
bad_file "key_file missing" "tls_server_config.key_file: missing" <<EOF
tls_server_config:
  cert_file: server.crt
EOF
bad_file "cert_file unreadable" "tls_server_config.cert_file: cannot read .*/nope.crt" <<EOF
tls_server_config:
  cert_file: nope.crt
  key_file: server.key
EOF
bad_file "key of another certificate" "tls_server_config.cert_file: .*not a PEM certificate and its key" <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: client.key
EOF
bad_file "not a bcrypt hash" "basic_auth_users.carol: not a bcrypt hash" <<EOF
basic_auth_users:
  carol: plaintext
EOF
bad_file "client_auth_type" "tls_server_config.client_auth_type: NoClientCert or RequireAndVerifyClientCert" <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: Sometimes
EOF
bad_file "unsupported key" "http_server_config: not supported" <<EOF
http_server_config:
  http2: false
EOF
bad_file "not YAML" "not YAML" <<EOF
tls_server_config: [unclosed
EOF
"$WIRELAT" -r "$src" --web-config "$tmp/none.yml" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "none.yml: cannot read" "$tmp/err" && ok "missing file: $(cat "$tmp/err")" ||
	fail "missing file: exit $rc: $(cat "$tmp/err")"

# ---- live: curl ----------------------------------------------------------------
ip netns add "$NS" || { echo "SKIP: no netns"; exit 77; }
ip -n "$NS" link set lo up
PORT=19745
start_wirelat() {	# CONFIG: wirelat on the namespace's lo, serving TLS
	ip netns exec "$NS" "$WIRELAT" -i lo --sock off --summary-interval 0 \
		--listen "127.0.0.1:$PORT" --web-config "$1" >"$tmp/wl.out" 2>"$tmp/wl.err" &
	WL_PID=$!
	PIDS+=("$WL_PID")
	# up once TLS answers (any HTTP status), within 30 s
	local i
	for i in $(seq 300); do
		[ "$(curl_ns -o /dev/null -w '%{http_code}' -k "https://127.0.0.1:$PORT/healthz")" != 000 ] && return 0
		kill -0 "$WL_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: wirelat with $1 did not serve: $(cat "$tmp/wl.err")"
	exit 1
}
stop_wirelat() {
	kill "$WL_PID"
	wait "$WL_PID" 2>/dev/null
}
curl_ns() { ip netns exec "$NS" curl -s --max-time 10 "$@"; }
status() { curl_ns -o /dev/null -w '%{http_code}' --cacert "$tmp/ca.crt" "$@"; }
URL=https://127.0.0.1:$PORT/metrics

start_wirelat "$tmp/web.yml"
# the startup line names the scheme served (it comes after the attach)
for i in $(seq 300); do grep -q 'metrics on' "$tmp/wl.err" && break; sleep 0.1; done
grep -q "metrics on https://127.0.0.1:$PORT/metrics" "$tmp/wl.err" &&
	ok "the startup line says https://" ||
	fail "startup line: $(grep 'metrics on' "$tmp/wl.err"), want https://127.0.0.1:$PORT/metrics"
s=$(status "$URL"); [ "$s" = 401 ] && ok "no credentials: 401" || fail "no credentials: $s, want 401"
curl_ns -D - -o /dev/null --cacert "$tmp/ca.crt" "$URL" | grep -qi '^WWW-Authenticate: Basic realm="wirelat"' &&
	ok "401 asks for basic auth" || fail "no WWW-Authenticate: Basic on the 401"
s=$(status -u 'alice:s3cret pasS' "$URL"); [ "$s" = 401 ] && ok "wrong password: 401" || fail "wrong password: $s, want 401"
s=$(status -u 'mallory:s3cret pass' "$URL"); [ "$s" = 401 ] && ok "unknown user: 401" || fail "unknown user: $s, want 401"
s=$(status -u 'alice:s3cret pass' "https://127.0.0.1:$PORT/healthz"); [ "$s" = 200 ] && ok "healthz with credentials: 200" || fail "healthz: $s"
curl_ns --cacert "$tmp/ca.crt" -u 'alice:s3cret pass' "$URL" >"$tmp/m.txt"
grep -q '^wirelat_build_info' "$tmp/m.txt" && ok "alice (\$2y\$): /metrics over TLS, verified against the CA" ||
	fail "alice: no metrics: $(head -3 "$tmp/m.txt")"
s=$(status -u 'bob:other' "$URL"); [ "$s" = 200 ] && ok "bob (\$2b\$): 200" || fail "bob: $s, want 200"
out=$(curl_ns -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics" 2>&1)
rc=$?
[ $rc -ne 0 ] && [[ $out == *000 ]] && ok "plain HTTP to the TLS port refused (curl exit $rc: ${out%000})" ||
	fail "plain HTTP answered: exit $rc, $out"
stop_wirelat

start_wirelat "$tmp/mtls.yml"
s=$(status --cert "$tmp/client.crt" --key "$tmp/client.key" "$URL")
[ "$s" = 200 ] && ok "RequireAndVerifyClientCert: the CA's client certificate: 200" || fail "client certificate: $s, want 200"
s=$(status "$URL")
[ "$s" != 200 ] && ok "RequireAndVerifyClientCert: no client certificate refused ($s)" || fail "no client certificate: 200"
s=$(status --cert "$tmp/stranger.crt" --key "$tmp/stranger.key" "$URL")
[ "$s" != 200 ] && ok "RequireAndVerifyClientCert: another CA's certificate refused ($s)" || fail "a stranger's certificate: 200"
stop_wirelat

# ---- live: Prometheus over TLS with basic_auth -----------------------------------
if [ ! -x "$PROMETHEUS" ]; then
	fail "prometheus not installed (tests/deps.sh)"
else
	start_wirelat "$tmp/web.yml"
	PROM_PORT=19090
	cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: wirelat
    scheme: https
    tls_config:
      ca_file: $tmp/ca.crt
    basic_auth:
      username: alice
      password: 's3cret pass'
    static_configs:
      - targets: ['127.0.0.1:$PORT']
  - job_name: wrong-password
    scheme: https
    tls_config:
      ca_file: $tmp/ca.crt
    basic_auth:
      username: alice
      password: guess
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
	ip netns exec "$NS" "$PROMETHEUS" --config.file="$tmp/prometheus.yml" \
		--storage.tsdb.path="$tmp/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" \
		--log.level=warn >"$tmp/prometheus.log" 2>&1 &
	PIDS+=($!)
	# both targets scraped at least once (health no longer "unknown"), within 60 s
	for i in $(seq 600); do
		curl_ns "http://127.0.0.1:$PROM_PORT/api/v1/targets" >"$tmp/targets.json" 2>/dev/null &&
			"$PY" - "$tmp/targets.json" <<'PY' && break
import json, sys
t = json.load(open(sys.argv[1]))["data"]["activeTargets"]
sys.exit(not (len(t) == 2 and all(x["health"] != "unknown" for x in t)))
PY
		sleep 0.1
	done
	"$PY" - "$tmp/targets.json" <<'PY' >"$tmp/targets.txt"
import json, sys
for t in json.load(open(sys.argv[1]))["data"]["activeTargets"]:
    print(t["labels"]["job"], t["health"], t.get("lastError", ""))
PY
	grep -q '^wirelat up' "$tmp/targets.txt" && ok "Prometheus scrapes over TLS with basic_auth: target up" ||
		fail "Prometheus target: $(cat "$tmp/targets.txt") $(tail -3 "$tmp/prometheus.log")"
	grep -q '^wrong-password down .*401' "$tmp/targets.txt" && ok "Prometheus with a wrong password: $(grep wrong-password "$tmp/targets.txt")" ||
		fail "wrong-password job: $(grep wrong-password "$tmp/targets.txt")"
	v=$(curl_ns "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode 'query=wirelat_build_info{job="wirelat"}' |
		"$PY" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")')
	[ "$v" = 1 ] && ok "wirelat_build_info queried back from Prometheus" || fail "wirelat_build_info in Prometheus: $v"
fi

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
