#!/usr/bin/env bash
# check_bpf_headers.sh DEPFILE...: fail when a BPF object pulls in a header
# of the C library.
#
# With -target bpf, glibc's headers select gnu/stubs-32.h, which only
# libc6-dev-i386 ships: a BPF object that reaches <sys/socket.h> (through
# <linux/if.h>, say) builds on a machine where that package happens to be
# installed and fails on a new one. So every header a BPF object includes
# must be the project's, the kernel's uapi (linux/, asm/, asm-generic/),
# libbpf's (bpf/) or the compiler's own freestanding ones. The Makefile
# compiles BPF with -MD (not -MMD, which leaves system headers out of the
# list) and runs this on each dependency file, so the build fails on every
# machine the moment such a header slips in.
set -euo pipefail
bad=0
for d in "$@"; do
	# the prerequisites of the object: drop "target:" words and backslashes
	while read -r h; do
		case $h in
		'' | *: | *.bpf.c) continue ;;
		/usr/include/linux/* | /usr/include/asm/* | /usr/include/asm-generic/* | \
			/usr/include/*-linux-gnu/asm/* | /usr/include/bpf/* | /usr/include/xdp/*) ;;
		/usr/lib/llvm-*/lib/clang/*/include/*) ;;	# freestanding: stddef.h, stdbool.h
		/*) echo "$d: a BPF object includes the C-library header $h; use the uapi headers or a struct in include/ (clang -H shows who includes it)" >&2
			bad=1 ;;
		esac
	done < <(tr ' ' '\n' <"$d" | sed 's/\\$//')
done
exit $bad
