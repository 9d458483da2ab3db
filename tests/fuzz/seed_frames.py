#!/usr/bin/python3
"""Seeds for tests/fuzz/fuzz_frame.c, cut from captures of Ethernet frames.

usage: seed_frames.py OUTDIR CAPTURE...

Each seed is a run of up to 12 consecutive frames of one capture, in the
harness's input format: per frame a 2-byte little-endian time step in ms
(capped at 65535) and a 2-byte length, then the frame. Frames longer than
3520 bytes (a batch) are cut. At most 40 seeds a capture.
"""
import hashlib
import os
import struct
import sys

from scapy.utils import RawPcapReader

DLT_EN10MB = 1


def frames(path):
    try:
        rd = RawPcapReader(path)
    except Exception:  # not a capture
        return []
    if getattr(rd, "linktype", DLT_EN10MB) != DLT_EN10MB:
        return []
    out = []
    for data, meta in rd:
        sec = getattr(meta, "sec", None)
        if sec is None:  # pcapng
            ts = ((meta.tshigh << 32) | meta.tslow) / meta.tsresol
        else:
            ts = sec + getattr(meta, "usec", 0) / 1e6
        out.append((ts, data[:3520]))
        if len(out) >= 480:
            break
    return out


def seed(run):
    b = bytearray()
    prev = run[0][0]
    for ts, data in run:
        step = min(max(int((ts - prev) * 1000), 0), 65535)
        prev = ts
        b += struct.pack("<HH", step, len(data)) + data
    return bytes(b)


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for path in sys.argv[2:]:
        fr = frames(path)
        for i in range(0, len(fr), 12):
            s = seed(fr[i:i + 12])
            name = hashlib.sha1(s).hexdigest()
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(s)


if __name__ == "__main__":
    main()
