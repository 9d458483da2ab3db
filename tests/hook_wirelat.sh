#!/usr/bin/env bash
# wirelat, as a live test runs it under one ingress hook (tests/lib.sh,
# run_hooks): --ingress $WL_HOOK is added to a command line that attaches
# (-i, --interface) and names no hook of its own (--ingress, --xdp-mode)
# and reads no daemon (--from). exec: the caller's $! is wirelat itself,
# so its signals (SIGINT, SIGKILL) reach wirelat.
BIN="$(cd "$(dirname "$0")/.." && pwd)/wirelat"
live=0
for a in "$@"; do
	case $a in
	--ingress | --ingress=* | --xdp-mode | --xdp-mode=* | --from | --from=*) exec "$BIN" "$@" ;;
	-i | -i?* | --interface | --interface=*) live=1 ;;
	esac
done
[ $live = 1 ] && [ -n "${WL_HOOK:-}" ] && exec "$BIN" "$@" --ingress "$WL_HOOK"
exec "$BIN" "$@"
