#!/usr/bin/env python3
"""Are the records the same on every ingress hook? (tests/lib.sh, run_hooks)

    same_records.py DIR HOOK HOOK...

A live test ran once per hook; each run kept its records with keep_records
as DIR/HOOK/NAME.jsonl (and NAME.ignore: more fields to leave out, one a
line). For every NAME the first hook kept, the records of every other hook
must be the same multiset once these are left out:

  - what differs from run to run whatever the hook: ts, ifname (the veth's
    name holds the run's pid), client_port (ephemeral), every *_ns field
    (durations: each run is timed anew; each run checks them against its
    own truth);
  - what counts hook invocations, not bytes: segments_c2s/s2c,
    rtt_*_samples, dup_acks_c2s/s2c. TC sees a GSO or GRO super-packet as
    one packet, native XDP on a veth sees the segments (its peer stops
    sending super-packets), so these differ by design (DESIGN: packet
    counters are per hook invocation, bytes exact);
  - what the traffic of each run decides, not the hook: a segment the
    kernel really retransmitted in one run and not in the other (and its
    bytes, which the counters include), a real gap or zero window.
    bytes_*, retransmits_*, seq_gaps_*, zero_windows_*: each run checks
    them against the tcpdump of its own traffic, exactly; across two runs
    they are not the same traffic (seen: one retransmission of 168 bytes
    in one run of 3 MB);
  - records of the socket path on loopback (a scrape of /metrics, which a
    test may repeat until something shows) unless NAME.ignore says +lo;
  - the fields NAME.ignore names.

Prints one line per NAME and the first differences; exits 1 on any.
"""
import collections
import json
import os
import sys

DROP = {"ts", "ifname", "client_port", "segments_c2s", "segments_s2c",
        "rtt_server_samples", "rtt_client_samples", "dup_acks_c2s",
        "dup_acks_s2c", "bytes_c2s", "bytes_s2c", "retransmits_c2s",
        "retransmits_s2c", "seq_gaps_c2s", "seq_gaps_s2c",
        "zero_windows_c2s", "zero_windows_s2c"}


def load(path, ignore, keep_lo):
    out = collections.Counter()
    for line in open(path, errors="replace"):
        if not line.startswith("{"):
            continue
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if not keep_lo and r.get("source") == "sock" and r.get("ifname") == "lo":
            continue
        k = {f: v for f, v in r.items()
             if f not in DROP and f not in ignore and not f.endswith("_ns")}
        out[json.dumps(k, sort_keys=True)] += 1
    return out


def main():
    top, hooks = sys.argv[1], sys.argv[2:]
    base = os.path.join(top, hooks[0])
    bad = 0
    names = sorted(f[:-6] for f in os.listdir(base) if f.endswith(".jsonl"))
    if not names:
        print("same records: nothing kept")
        return 0
    for name in names:
        ig = os.path.join(base, name + ".ignore")
        spec = [l.strip() for l in open(ig)] if os.path.exists(ig) else []
        keep_lo = "+lo" in spec
        ignore = set(spec) - {"+lo", ""}
        want = load(os.path.join(base, name + ".jsonl"), ignore, keep_lo)
        for h in hooks[1:]:
            p = os.path.join(top, h, name + ".jsonl")
            if not os.path.exists(p):
                print("FAIL: %s: --ingress %s kept no records" % (name, h))
                bad += 1
                continue
            got = load(p, ignore, keep_lo)
            if got == want:
                print("ok: %s: the same %d records with --ingress %s and %s" %
                      (name, sum(want.values()), hooks[0], h))
                continue
            bad += 1
            print("FAIL: %s: records differ between --ingress %s (%d) and %s (%d)" %
                  (name, hooks[0], sum(want.values()), h, sum(got.values())))
            for k in list((want - got).elements())[:5]:
                print("  only %s: %s" % (hooks[0], k))
            for k in list((got - want).elements())[:5]:
                print("  only %s: %s" % (h, k))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
