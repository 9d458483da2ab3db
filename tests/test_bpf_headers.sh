#!/usr/bin/env bash
# BPF objects include no C-library header (tests/check_bpf_headers.sh):
#   1. the dependency files of the built objects list system headers (the
#      build uses -MD) and the checker accepts them;
#   2. a BPF source that reaches <sys/socket.h> through <linux/icmp.h> (the
#      include that broke new machines) is rejected with a line naming it.
#      -MG lists the missing gnu/stubs-32.h instead of failing, so this runs
#      the same on a machine with or without libc6-dev-i386.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

deps=(build/xdp/*.bpf.d build/tc/*.bpf.d)
[ -f "${deps[0]}" ] || { echo "FAIL: no BPF dependency files under build/ (make)"; exit 1; }
if grep -q '/usr/include/linux/bpf.h' "${deps[@]}"; then
	ok "dependency files list system headers (${deps[*]})"
else
	fail "dependency files do not list /usr/include/linux/bpf.h: built with -MMD?"
fi
if tests/check_bpf_headers.sh "${deps[@]}" 2>"/tmp/wl-bpfh.$$"; then
	ok "every header of the BPF objects is the project's, uapi, libbpf's or the compiler's"
else
	fail "$(cat "/tmp/wl-bpfh.$$")"
fi

src=$(mktemp /tmp/wl-bpfh.XXXXXX.bpf.c)
trap 'rm -f "$src" "${src%.c}.d" "/tmp/wl-bpfh.$$"' EXIT
printf '#include <linux/icmp.h>\nint x;\n' >"$src"
clang -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -M -MG -MF "${src%.c}.d" "$src" >/dev/null 2>&1
if tests/check_bpf_headers.sh "${src%.c}.d" 2>"/tmp/wl-bpfh.$$"; then
	fail "a BPF source including <linux/icmp.h> passed the check"
elif grep -q 'sys/socket.h' "/tmp/wl-bpfh.$$"; then
	ok "<linux/icmp.h> rejected: $(grep -m1 'sys/socket.h' "/tmp/wl-bpfh.$$")"
else
	fail "rejected, but no line names sys/socket.h: $(head -2 "/tmp/wl-bpfh.$$")"
fi
echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
