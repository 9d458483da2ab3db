#!/usr/bin/env python3
"""check_cfg.py OBJ - fail when a BPF object has a loop the 6.1 verifier rejects.

Linux before 6.4 walks a program's control flow depth first and accepts a
loop only when the edge that closes it is a jump. When clang lays a loop out
so that the instruction before its header is the latch (the header entered by
a `goto` from above, the latch falling through into it), 6.1 says "back-edge
from insn N to N+1" and refuses the whole object, though 6.4 and later load
it. This replays that walk (kernel/bpf/verifier.c check_cfg() of 6.1: edges
taken fall-through first, then the branch; a plain instruction's or a call's
fall-through may not close a loop) on every function of OBJ, from
llvm-objdump's listing, so the build fails here and not on a user's kernel.
"""
import re
import subprocess
import sys

INSN = re.compile(r"^\s*(\d+):\t(.*)$")
FUNC = re.compile(r"^[0-9a-f]+ <([^>]+)>:$")
JUMP = re.compile(r"goto ([+-]\d+)")
LABEL = re.compile(r" <[^<> ]*>$")	# a jump's target label, not `w1 < w2`


def functions(obj):
    """Yield (section, function, [(index, text)]) of every function in OBJ."""
    out = subprocess.run(["llvm-objdump", "-d", "--no-show-raw-insn", obj],
                         capture_output=True, text=True, check=True).stdout
    section, name, insns = None, None, []
    for line in out.splitlines():
        if line.startswith("Disassembly of section "):
            if name:
                yield section, name, insns
            section, name, insns = line[len("Disassembly of section "):-1], None, []
            continue
        m = FUNC.match(line)
        if m and not m.group(1).startswith("LBB"):
            if name:
                yield section, name, insns
            name, insns = m.group(1), []
            continue
        m = INSN.match(line)
        if m and name:
            insns.append((int(m.group(1)), LABEL.sub("", m.group(2)).strip()))
    if name:
        yield section, name, insns


def edges(i, text, nxt):
    """The edges of one instruction in 6.1's order: (target, closing a loop allowed)."""
    if text == "exit":
        return []
    m = JUMP.search(text)
    if m:
        target = i + int(m.group(1)) + 1
        if text.startswith("goto"):
            return [(target, True)]
        return [(nxt, True), (target, True)]
    return [(nxt, False)]		# a plain instruction or a call falls through


def back_edges(insns):
    index = {i: k for k, (i, _) in enumerate(insns)}
    nxt = [insns[k + 1][0] if k + 1 < len(insns) else None for k in range(len(insns))]
    state = {}			# 1 on the walk's stack, 2 explored
    bad = []
    stack = [(insns[0][0], iter(edges(insns[0][0], insns[0][1], nxt[0])))]
    state[insns[0][0]] = 1
    while stack:
        t, it = stack[-1]
        for w, loop_ok in it:
            if w not in index:
                continue	# leaves the function (the verifier checks this)
            if w not in state:
                state[w] = 1
                k = index[w]
                stack.append((w, iter(edges(w, insns[k][1], nxt[k]))))
                break
            if state[w] == 1 and not loop_ok:
                bad.append((t, w))
        else:
            state[t] = 2
            stack.pop()
    return bad


def main():
    failed = 0
    for obj in sys.argv[1:]:
        for section, name, insns in functions(obj):
            if not insns:
                continue
            base = insns[0][0]
            for t, w in back_edges(insns):
                print(f"{obj}: {section}/{name}: instruction {t - base} falls through into "
                      f"a loop header ({w - base}): Linux before 6.4 rejects it ('back-edge'); "
                      "reshape the loop (a `#pragma unroll`, or a bound the compiler keeps)",
                      file=sys.stderr)
                failed += 1
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
