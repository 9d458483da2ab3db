#!/usr/bin/env bash
# make install / make uninstall into a DESTDIR, and what they install:
#   - PREFIX=/usr/local and PREFIX=/usr: the binary (the one just built),
#     wirelat(8), the systemd unit with its paths rewritten to PREFIX, the
#     cleanup helper, dashboards/* and the deploy files; the manifest lists
#     exactly the files written; a second install changes nothing;
#   - systemd-analyze verify accepts the installed unit (its paths pointed
#     into DESTDIR, wirelat(8) found through MANPATH);
#   - the man page formats without a groff warning and names every option of
#     `wirelat --help`, every record type and field of docs/records.md and
#     every metric of docs/metrics.md (the tables README.md sends readers to);
#   - make uninstall removes exactly those files (a file of someone else's
#     in share/wirelat stays, and so does its directory), then everything.
# No root needed (DESTDIR under /tmp). Exit 0 pass, 1 fail.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
[ -n "${WIRELAT_BIN:-}" ] && WIRELAT=$WIRELAT_BIN

tmp=$(mktemp -d /tmp/wl-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mk() { make -C "$ROOT" --no-print-directory "$@"; }

for prefix in /usr/local /usr; do
	d="$tmp/root$(echo "$prefix" | tr / _)"
	if ! mk install DESTDIR="$d" PREFIX="$prefix" >"$tmp/install.out" 2>&1; then
		cat "$tmp/install.out"
		fail "make install DESTDIR=$d PREFIX=$prefix"
		continue
	fi
	m="$d$prefix/share/wirelat/install-manifest"
	want=("$prefix/sbin/wirelat" "$prefix/share/man/man8/wirelat.8"
		"$prefix/lib/systemd/system/wirelat.service" "$prefix/lib/wirelat/wirelat-cleanup"
		"$prefix/share/wirelat/deploy/prometheus.yml" "$prefix/share/wirelat/deploy/wirelat.env"
		"$prefix/share/wirelat/install-manifest")
	for f in "$ROOT"/deploy/kubernetes/*.yaml "$ROOT"/dashboards/*; do
		[ -f "$f" ] && want+=("$prefix/share/wirelat/${f#"$ROOT"/}")
	done
	got=$(cd "$d" && find . -type f | sed 's/^\.//' | sort)
	exp=$(printf '%s\n' "${want[@]}" | sort)
	if [ "$got" = "$exp" ]; then
		ok "PREFIX=$prefix: $(echo "$got" | wc -l) files, as expected"
	else
		fail "PREFIX=$prefix: installed files differ: $(diff <(echo "$exp") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
	fi
	[ "$(sort "$m" 2>/dev/null)" = "$exp" ] && ok "PREFIX=$prefix: the manifest lists exactly them" ||
		fail "PREFIX=$prefix: manifest differs from the files: $(diff <(echo "$exp") <(sort "$m" 2>/dev/null) | grep '^[<>]' | tr '\n' ' ')"
	cmp -s "$ROOT/wirelat" "$d$prefix/sbin/wirelat" && [ -x "$d$prefix/sbin/wirelat" ] &&
		[ -x "$d$prefix/lib/wirelat/wirelat-cleanup" ] &&
		[ "$(stat -c %a "$d$prefix/share/man/man8/wirelat.8")" = 644 ] &&
		ok "PREFIX=$prefix: binary is the one built, executables 755, man page 644" ||
		fail "PREFIX=$prefix: binary or modes wrong"
	u="$d$prefix/lib/systemd/system/wirelat.service"
	if grep -q "ExecStart=.*exec $prefix/sbin/wirelat " "$u" &&
		grep -q "^ExecStopPost=+$prefix/lib/wirelat/wirelat-cleanup$" "$u" &&
		{ [ "$prefix" = /usr/local ] || ! grep -q /usr/local "$u"; }; then
		ok "PREFIX=$prefix: unit runs $prefix/sbin/wirelat and $prefix/lib/wirelat/wirelat-cleanup"
	else
		fail "PREFIX=$prefix: unit paths not rewritten: $(grep -n '/usr' "$u" | tr '\n' ' ')"
	fi
	if command -v systemd-analyze >/dev/null; then
		sed "s|$prefix/|$d$prefix/|g" "$u" >"$tmp/wirelat.service"
		if MANPATH="$d$prefix/share/man" systemd-analyze verify "$tmp/wirelat.service" >"$tmp/verify.out" 2>&1 &&
			[ ! -s "$tmp/verify.out" ]; then
			ok "PREFIX=$prefix: systemd-analyze verify: no complaint"
		else
			fail "PREFIX=$prefix: systemd-analyze verify: $(tr '\n' ' ' <"$tmp/verify.out")"
		fi
	else
		echo "note: systemd-analyze missing, unit not verified"
	fi
	before=$(cd "$d" && find . | sort | md5sum)
	mk install DESTDIR="$d" PREFIX="$prefix" >/dev/null 2>&1 &&
		[ "$(cd "$d" && find . | sort | md5sum)" = "$before" ] &&
		ok "PREFIX=$prefix: a second install writes the same files" ||
		fail "PREFIX=$prefix: a second install differs"

	# someone else's file in our directory: kept, with its directory
	echo mine >"$d$prefix/share/wirelat/local.yml"
	mk uninstall DESTDIR="$d" PREFIX="$prefix" >"$tmp/uninstall.out" 2>&1 ||
		fail "make uninstall: $(tr '\n' ' ' <"$tmp/uninstall.out")"
	left=$(cd "$d" && find . -type f | sed 's/^\.//' | sort)
	if [ "$left" = "$prefix/share/wirelat/local.yml" ]; then
		ok "PREFIX=$prefix: make uninstall removed every installed file, kept $left"
	else
		fail "PREFIX=$prefix: after uninstall: $(echo "$left" | tr '\n' ' ')"
	fi
	rm -f "$d$prefix/share/wirelat/local.yml"
	mk uninstall DESTDIR="$d" PREFIX="$prefix" >/dev/null 2>&1
	ours=$(cd "$d" && find . \( -path "*/share/wirelat*" -o -path "*/lib/wirelat*" \) | tr '\n' ' ')
	[ -z "$ours" ] && ok "PREFIX=$prefix: no directory of wirelat's left" ||
		fail "PREFIX=$prefix: left behind: $ours"
done

# ---------------------------------------------------------------- man page
man8="$ROOT/man/wirelat.8"
if command -v groff >/dev/null; then
	w=$(groff -man -Tutf8 -ww -z "$man8" 2>&1)
	[ -z "$w" ] && ok "wirelat.8: groff -ww: no warning" || fail "wirelat.8: groff: $w"
fi
# the source with roff escapes undone (the formatted text is hyphenated)
plain=$(sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\e/\\/g' "$man8")
if [ -x "$WIRELAT" ]; then
	missing=""
	for opt in $("$WIRELAT" --help | grep -o -- '--[a-z][a-z-]*' | sort -u) $("$WIRELAT" --help | grep -o -- '^  -[a-zA-Z],' | tr -d ' ,'); do
		grep -qF -- "$opt" <<<"$plain" || missing+=" $opt"
	done
	[ -z "$missing" ] && ok "wirelat.8 names every option of wirelat --help" ||
		fail "wirelat.8 lacks options of wirelat --help:$missing"
else
	fail "$WIRELAT not built: cannot compare with --help"
fi
missing=""
# the tables: docs/metrics.md (metrics and who is slow), docs/records.md
# (one row per record type); a table that moved or emptied fails, it does
# not pass by naming nothing
metrics=$(grep -o '^| `wirelat_[a-z_]*`' "$ROOT/docs/metrics.md" | tr -d '|` ')
[ "$(wc -w <<<"$metrics")" -ge 40 ] || fail "docs/metrics.md: no metric table found"
for m in $metrics; do
	grep -qF -- "$m" <<<"$plain" || missing+=" $m"
done
[ -z "$missing" ] && ok "wirelat.8 names every metric of docs/metrics.md" ||
	fail "wirelat.8 lacks metrics of docs/metrics.md:$missing"
missing=""
fields=$(grep '^| `' "$ROOT/docs/records.md" | grep -o '`[a-z_0-9]*`' | tr -d '`' | sort -u)
[ "$(wc -w <<<"$fields")" -ge 40 ] || fail "docs/records.md: no record table found"
for f in $fields; do
	grep -qw -- "$f" <<<"$plain" || missing+=" $f"
done
[ -z "$missing" ] && ok "wirelat.8 names every record type and field of docs/records.md" ||
	fail "wirelat.8 lacks record types/fields of docs/records.md:$missing"

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
