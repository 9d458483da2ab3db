#!/usr/bin/env bash
# make test-kernels: the tests that do not need this machine's kernel
# (tests/kernels/suite.sh) under each kernel wirelat supports, then on this
# machine's, and a table of the results and of each BPF program's verifier
# cost ("processed N insns").
#
# The kernels: Debian 12's newest 6.1.0-*-amd64 and 6.12.*+deb12-amd64 from
# the package lists (apt-get update when they lack one), or the
# versions in WL_KERNELS ("6.1.0-57-amd64 6.12.118+deb12-amd64"). Each is
# booted in qemu (TCG: no KVM is needed; one guest at a time, 2 vCPUs)
# with an initramfs of busybox-static and the modules the tests need
# (tests/kernels/init); the guest sees this machine's file tree read-only
# under a tmpfs overlay and writes its results to a 9p share.
#
# The build is copied first (the tree without .git, and the third-party captures):
# the host and every guest run the same binaries, whatever happens to the
# checkout meanwhile. The offline suite's expected outputs are this
# machine's, computed here on that copy.
#
# Downloads (linux-image-VERSION-unsigned, busybox-static) are cached in
# WL_KERNELS_CACHE (default /var/tmp/wirelat-kernels): the kernel image and
# the few modules are kept, the rest is removed. The last run's logs stay
# in $WL_KERNELS_CACHE/last (per kernel: results, each test's log, the
# guest's console). WL_KERNELS_HOST=0 skips this machine's kernel;
# WL_KERNELS_TESTS ("offline live_xdp") runs only those tests.
#
# Needs root; installs qemu-system-x86 and xz-utils when missing (apt-get).
# Exit status: 0 when every test passed or was skipped on every kernel.
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

CACHE=${WL_KERNELS_CACHE:-/var/tmp/wirelat-kernels}
GUEST_LIMIT=${WL_KERNELS_GUEST_TIMEOUT:-3600}
MODULES=(virtio_pci virtio_rng 9pnet_virtio 9p overlay veth sch_ingress cls_bpf af_packet ipv6)
TESTS=(verifier parse offline sock_load live_xdp live_tc sock_auto sock_kprobe systemd clock)
if [ -n "${WL_KERNELS_TESTS:-}" ]; then
	read -r -a TESTS <<<"$WL_KERNELS_TESTS"
fi
T0=$SECONDS

say() { echo "kernels: $*"; }
die() { echo "kernels: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (sudo make test-kernels)"
[ -x "$WIRELAT" ] && [ -x "$ROOT/build/tests/prog_stats" ] ||
	die "build first: make all build/tests/prog_stats (make test-kernels does)"
# prog_stats carries the object it measures (the skeleton): the same as wirelat's?
[ "$ROOT/build/tests/prog_stats" -nt "$ROOT/build/wirelat.skel.h" ] ||
	say "warning: build/tests/prog_stats is older than the skeleton: make all build/tests/prog_stats"

# ---- packages: qemu from Debian, like tests/deps.sh ----------------------
need=()
for p in qemu-system-x86 xz-utils; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	say "installing: ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=600 update -qq &&
		apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
		die "cannot install ${need[*]}"
fi

mkdir -p "$CACHE"
RUN=$(mktemp -d "$CACHE/run.XXXXXX")
QEMU="" SUITE=""
cleanup() {
	trap - EXIT
	# timeout hands the signal to qemu; the suite to the test it runs
	[ -n "$QEMU" ] && kill -TERM "$QEMU" 2>/dev/null
	[ -n "$SUITE" ] && kill -TERM "$SUITE" 2>/dev/null
	wait
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the kernels ---------------------------------------------------------
APT_UPDATED=0
apt_update() {
	[ $APT_UPDATED = 1 ] && return 1
	APT_UPDATED=1
	say "apt-get update"
	apt-get -o DPkg::Lock::Timeout=600 update -qq
}
# newest REGEX: the newest package name that matches, as its kernel version
newest() {
	apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -1 |
		sed 's/^linux-image-//; s/-unsigned$//'
}
if [ -n "${WL_KERNELS:-}" ]; then
	read -r -a KERNELS <<<"$WL_KERNELS"
else
	KERNELS=()
	for re in '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$'; do
		k=$(newest "$re")
		if [ -z "$k" ] && apt_update; then
			k=$(newest "$re")
		fi
		[ -n "$k" ] || die "no package matches $re (are Debian 12's lists in /etc/apt?)"
		KERNELS+=("$k")
	done
fi

# download PACKAGE DIR: apt-get download into DIR (the lists updated once
# when the mirror no longer has the version they name)
download() {
	(cd "$2" && apt-get download -qq -o APT::Sandbox::User=root "$1") && return 0
	apt_update && (cd "$2" && apt-get download -qq -o APT::Sandbox::User=root "$1")
}

BUSYBOX=$CACHE/busybox/busybox
fetch_busybox() {
	local t
	[ -x "$BUSYBOX" ] && return 0
	t=$(mktemp -d "$CACHE/dl.XXXXXX")
	download busybox-static "$t" && dpkg-deb -x "$t"/busybox-static_*.deb "$t/x" &&
		mkdir -p "$CACHE/busybox" && cp "$t/x/bin/busybox" "$BUSYBOX.new" && mv "$BUSYBOX.new" "$BUSYBOX"
	rm -rf "$t"
	[ -x "$BUSYBOX" ]
}

# fetch_kernel VERSION: $CACHE/VERSION/vmlinuz, mods/*.ko (uncompressed)
# and modules.order (each module after those it depends on)
fetch_kernel() {
	local ver=$1 d=$CACHE/$1 t mdir p b
	[ -f "$d/.done" ] && return 0
	say "downloading linux-image-$ver-unsigned"
	t=$(mktemp -d "$CACHE/dl.XXXXXX")
	if ! download "linux-image-$ver-unsigned" "$t" || ! dpkg-deb -x "$t"/linux-image-*.deb "$t/x"; then
		rm -rf "$t"
		return 1
	fi
	mdir=$t/x/lib/modules/$ver
	[ -d "$mdir" ] || mdir=$t/x/usr/lib/modules/$ver
	rm -rf "$d"
	mkdir -p "$d/mods"
	cp "$t/x/boot/vmlinuz-$ver" "$d/vmlinuz" || { rm -rf "$t"; return 1; }
	declare -A KO=() ADDED=()
	ORDER=()
	while read -r p; do
		b=${p##*/}
		b=${b%%.ko*}
		KO[${b//-/_}]=$p
	done < <(find "$mdir/kernel" -name '*.ko*')
	add_module() {
		local m=$1 p=${KO[$1]:-} deps dep
		[ -n "${ADDED[$m]:-}" ] && return 0
		ADDED[$m]=1
		if [ -z "$p" ]; then # built in, or not in this kernel
			tr - _ <"$mdir/modules.builtin" | grep -q "/$m.ko$" ||
				say "$ver: no module $m (and not built in)"
			return 0
		fi
		case $p in
		*.ko.xz) xz -dc "$p" ;;
		*.ko.gz) gzip -dc "$p" ;;
		*.ko.zst) zstd -qdc "$p" ;;
		*) cat "$p" ;;
		esac >"$d/mods/$m.ko" || return 1
		deps=$(tr '\0' '\n' <"$d/mods/$m.ko" | sed -n 's/^depends=//p' | head -1)
		for dep in ${deps//,/ }; do
			add_module "${dep//-/_}" || return 1
		done
		ORDER+=("$m.ko")
	}
	for p in "${MODULES[@]}"; do
		add_module "$p" || { rm -rf "$t" "$d"; return 1; }
	done
	printf '%s\n' "${ORDER[@]}" >"$d/modules.order"
	rm -rf "$t"
	touch "$d/.done"
}

# initrd VERSION FILE: busybox, the modules, tests/kernels/init
initrd() {
	local s
	s=$(mktemp -d "$RUN/initrd.XXXXXX")
	mkdir -p "$s/bin" "$s/dev" "$s/proc" "$s/sys" "$s/lib/mods" "$s/lower" "$s/up" "$s/new"
	cp "$BUSYBOX" "$s/bin/busybox"
	install -m 755 "$ROOT/tests/kernels/init" "$s/init"
	cp "$CACHE/$1"/mods/*.ko "$s/lib/mods/"
	cp "$CACHE/$1/modules.order" "$s/modules.order"
	mknod "$s/dev/console" c 5 1
	mknod "$s/dev/null" c 1 3
	(cd "$s" && find . | "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null) >"$2"
	rm -rf "$s"
	[ -s "$2" ]
}

fetch_busybox || die "cannot download busybox-static"
for k in "${KERNELS[@]}"; do
	fetch_kernel "$k" || die "cannot download linux-image-$k-unsigned"
done

# ---- the build, copied; this machine's offline outputs -------------------
TREE=$RUN/tree
mkdir -p "$TREE"
tar -C "$ROOT" --exclude=./.git -cf - . | tar -C "$TREE" -xf - || die "cannot copy the tree"
if d=$(shared_pcaps); then
	mkdir -p "$RUN/shared"
	cp -r "$d" "$RUN/shared/pcaps"
fi
EXPECTED=$RUN/expected
mkdir -p "$EXPECTED"
say "this machine's offline outputs ($(uname -r))"
n=0
while read -r f timeouts; do
	n=$((n + 1))
	echo "$n $f $timeouts" >>"$EXPECTED/cases"
	# shellcheck disable=SC2086 # the timeouts are words
	set -- $timeouts
	args=()
	[ $# -ge 1 ] && args+=(--handshake-timeout "$1")
	[ $# -ge 2 ] && args+=(--dns-timeout "$2")
	[ $# -ge 3 ] && args+=(--idle-timeout "$3")
	"$TREE/wirelat" -r "$f" --json "${args[@]}" --metrics-out "$EXPECTED/$n.prom" \
		>"$EXPECTED/$n.jsonl" 2>"$EXPECTED/$n.err"
	echo $? >"$EXPECTED/$n.rc"
done < <(WIRELAT_SHARED_PCAPS="$RUN/shared/pcaps" "$TREE/tests/test_offline.sh" --cases)
[ $n -gt 0 ] || die "no offline cases (tests/test_offline.sh --cases)"

RESULTS=$RUN/results
mkdir -p "$RESULTS"
ROWS=() # result folders, one per kernel, in the order of the table

# guest VERSION: the suite under VERSION in qemu
guest() {
	local ver=$1 out=$RESULTS/$1 start=$SECONDS rc
	mkdir -p "$out"
	initrd "$ver" "$RUN/initrd-$ver" || { echo "no initramfs" >"$out/error"; return 1; }
	cat >"$out/cmd.sh" <<-EOF
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
	export WIRELAT_SHARED_PCAPS=$RUN/shared/pcaps WL_KERNELS_TESTS="${WL_KERNELS_TESTS:-}"
	# TCG: see tests/kernels/live.sh
	export WL_LIVE_TIMING=loose
	cd $TREE || exit 125
	tests/kernels/suite.sh $out/res $EXPECTED 2>&1
	EOF
	say "$ver: booting (qemu, TCG)"
	: >"$out/console.log"
	# in the background: a signal to this script ends the guest (cleanup)
	timeout -k 10 "$GUEST_LIMIT" qemu-system-x86_64 -nodefaults -no-user-config -display none \
		-monitor none -serial "file:$out/console.log" -no-reboot -m 4096 -smp 2 -cpu max \
		-kernel "$CACHE/$ver/vmlinuz" -initrd "$RUN/initrd-$ver" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init wlout=$out" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$out,mount_tag=wlout,security_model=none" \
		-device virtio-rng-pci </dev/null >"$out/qemu.err" 2>&1 &
	QEMU=$!
	tail -n +1 --pid="$QEMU" -f "$out/console.log" 2>/dev/null | sed -un 's/\r$//; s/^--- /    /p' &
	wait "$QEMU"
	rc=$?
	QEMU=
	wait
	echo "qemu $((SECONDS - start))" >"$out/time"
	if [ ! -s "$out/rc" ]; then
		{
			if [ "$rc" = 124 ]; then
				echo "the guest did not finish in $GUEST_LIMIT s"
			else
				echo "the guest did not run the suite (qemu exit $rc)"
			fi
			cat "$out/qemu.err"
			tr -d '\r' <"$out/console.log" | tail -5
		} >"$out/error"
	fi
}

host() {
	local out=$RESULTS/host start=$SECONDS
	say "$(uname -r): this machine's kernel"
	mkdir -p "$out"
	(cd "$TREE" && WIRELAT_SHARED_PCAPS="$RUN/shared/pcaps" exec tests/kernels/suite.sh "$out/res" "$EXPECTED" \
		>"$out/console.log" 2>&1) &
	SUITE=$!
	tail -n +1 --pid="$SUITE" -f "$out/console.log" 2>/dev/null | sed -un 's/^--- /    /p' &
	wait "$SUITE"
	SUITE=
	wait
	echo "host $((SECONDS - start))" >"$out/time"
}

for k in "${KERNELS[@]}"; do
	guest "$k"
	ROWS+=("$RESULTS/$k")
done
if [ "${WL_KERNELS_HOST:-1}" != 0 ]; then
	host
	ROWS+=("$RESULTS/host")
fi

# ---- the tables ----------------------------------------------------------
failed=0 passed=0 skipped=0
kname() { # RESULT_FOLDER: the kernel's name
	if [ -s "$1/res/kernel" ]; then cat "$1/res/kernel"; else basename "$1"; fi
}
echo
printf '%-28s' kernel
printf ' %-11s' "${TESTS[@]}"
printf ' %s\n' time
for r in "${ROWS[@]}"; do
	printf '%-28s' "$(kname "$r")"
	for t in "${TESTS[@]}"; do
		res=$(awk -v t="$t" '$1 == t {print $2}' "$r/res/results" 2>/dev/null)
		case $res in
		pass) passed=$((passed + 1)) ;;
		skip) skipped=$((skipped + 1)) ;;
		*) res=${res:-none}; failed=$((failed + 1)) ;;
		esac
		printf ' %-11s' "$res"
	done
	read -r how secs <"$r/time"
	printf ' %s s (%s)\n' "$secs" "$how"
done

# rows: "NAME CONFIG" in the order the programs first appear
# (a program no configuration loads on any kernel: one row, as live)
progs=$(cat "${ROWS[@]/%//res/verifier.log}" 2>/dev/null |
	sed -n 's/^\(wirelat_[a-z0-9_]*\) \(OK\|FAIL\) .*(\([a-z]*\))$/\1 \3/p; s/^\(wirelat_[a-z0-9_]*\) SKIP .*/\1 -/p' |
	awk '$2 != "-" && !seen[$0]++ {print; p[$1] = 1; next} $2 == "-" {s[$1] = 1}
		END {for (x in s) if (!p[x]) print x, "live"}')
if [ -n "$progs" ]; then
	echo
	echo "verifier: processed insns per program, loaded alone as the daemon configures it (limit 1000000)"
	printf '%-28s' program
	for r in "${ROWS[@]}"; do printf ' %-22s' "$(kname "$r")"; done
	echo
fi
while read -r prog cfg; do
	[ -n "$prog" ] || continue
	label=$prog
	[ "$cfg" = live ] || label="$prog ($cfg)"
	printf '%-28s' "$label"
	for r in "${ROWS[@]}"; do
		v=$(sed -n "s/^$prog OK processed \([0-9]*\) insns ($cfg)$/\1/p; s/^$prog FAIL .*($cfg)$/FAIL/p" \
			"$r/res/verifier.log" 2>/dev/null | head -1)
		[ -n "$v" ] || v=$(sed -n "s/^$prog SKIP .*/skip/p" "$r/res/verifier.log" 2>/dev/null | head -1)
		printf ' %-22s' "${v:--}"
	done
	echo
done <<<"$progs"

# ---- what failed ---------------------------------------------------------
LAST=$CACHE/last
rm -rf "$LAST"
mkdir -p "$LAST"
for r in "${ROWS[@]}"; do
	k=$(kname "$r")
	if [ -s "$r/error" ]; then
		echo
		echo "$k: $(head -1 "$r/error")"
		tail -n +2 "$r/error" | sed 's/^/    /'
	fi
	for t in "${TESTS[@]}"; do
		res=$(awk -v t="$t" '$1 == t {print $2}' "$r/res/results" 2>/dev/null)
		[ "$res" = fail ] || continue
		echo
		echo "$k: $t failed ($LAST/$(basename "$r")/res/$t.log):"
		if [ "$t" = verifier ]; then
			grep -E '^wirelat_[a-z0-9_]* FAIL' "$r/res/$t.log" | head -8
		else
			{ grep -E '^(FAIL|.*: FAIL)' "$r/res/$t.log" || tail -5 "$r/res/$t.log"; } | head -8
		fi | cut -c1-200 | sed 's/^/    /'
	done
	cp -r "$r" "$LAST/$(basename "$r")"
done

echo
total=$((passed + failed + skipped))
echo "test-kernels: ${#ROWS[@]} kernels, $total tests: $passed passed, $failed failed, $skipped skipped in $((SECONDS - T0)) s (logs: $LAST)"
[ $failed -eq 0 ]
