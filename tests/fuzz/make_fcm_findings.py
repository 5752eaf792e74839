#!/usr/bin/env python3
"""Writes one small .fcm file per open finding of tests/fuzz/README.md, for tests/fuzz/regressions/.

Usage: make_fcm_findings.py tests/fuzz/corpus/fuzz_fcm_reader/tiny_int8.fcm OUT_DIR
Each file is tiny_int8.fcm (an int8 model written by make_fcm_seeds) with one int8 weight row changed and its
checksum recomputed, so it is a valid file that read_model accepts:
  open-F1-subnormal-scale.fcm   blocks.0.proj_w row 0: scale 1e-40 (subnormal), codes 127 0 -5 64
  open-F2-scale-overflow.fcm    action_w row 0: scale 3e38, so 127 * scale overflows to inf
  open-F3-noncanonical-row.fcm  blocks.0.proj_w row 0: codes 50 -3 0 1 (largest magnitude 50, not 127)
"""
import os
import struct
import sys

M64 = (1 << 64) - 1
P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63,
                      0x27D4EB2F165667C5)


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def xxh64(data, seed=0):
    """XXH64, the file checksum (format/fcm.h, section 13)."""
    def rnd(acc, lane):
        return (rotl((acc + lane * P2) & M64, 31) * P1) & M64

    def merge(acc, v):
        return ((acc ^ rnd(0, v)) * P1 + P4) & M64

    n, p = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M64, (seed + P2) & M64, seed, (seed - P1) & M64]
        while p + 32 <= n:
            for i in range(4):
                v[i] = rnd(v[i], struct.unpack_from("<Q", data, p + 8 * i)[0])
            p += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M64
        for x in v:
            h = merge(h, x)
    else:
        h = (seed + P5) & M64
    h = (h + n) & M64
    while p + 8 <= n:
        h = (rotl(h ^ rnd(0, struct.unpack_from("<Q", data, p)[0]), 27) * P1 + P4) & M64
        p += 8
    if p + 4 <= n:
        h = (rotl(h ^ (struct.unpack_from("<I", data, p)[0] * P1) & M64, 23) * P2 + P3) & M64
        p += 4
    while p < n:
        h = (rotl(h ^ (data[p] * P5) & M64, 11) * P1) & M64
        p += 1
    h ^= h >> 33
    h = (h * P2) & M64
    h ^= h >> 29
    h = (h * P3) & M64
    return h ^ (h >> 32)


def tensors(d):
    """name -> (dtype, rows, cols, offset) from the header of an .fcm file."""
    u32 = lambda at: struct.unpack_from("<I", d, at)[0]
    u64 = lambda at: struct.unpack_from("<Q", d, at)[0]
    p = 24 + 8 * u32(20)
    for table in range(2):  # action names, item ids
        n = u32(p)
        p += 4
        for _ in range(n):
            p += 4 + u32(p)
        if table == 1:
            items = n
    cats = u32(p)
    p += 4
    for _ in range(cats):
        p += 4 + u32(p)
    p += (4 * items if cats else 0) + 4 * items  # item categories, popularity
    out = {}
    count = u32(p)
    p += 4
    for _ in range(count):
        n = u32(p)
        name = d[p + 4:p + 4 + n].decode()
        p += 4 + n
        dtype, ndim = u32(p), u32(p + 4)
        p += 8
        dims = [u64(p + 8 * k) for k in range(ndim)]
        p += 8 * ndim
        out[name] = (dtype, dims[0], dims[1], u64(p))
        p += 16
    return out


def with_row(d, name, row, scale=None, codes=None):
    b = bytearray(d)
    dtype, rows, cols, off = tensors(d)[name]
    assert dtype == 1, name + " is not int8"
    if scale is not None:
        struct.pack_into("<f", b, off + 4 * row, scale)
    if codes is not None:
        assert len(codes) == cols
        struct.pack_into(f"<{cols}b", b, off + 4 * rows + row * cols, *codes)
    struct.pack_into("<Q", b, len(b) - 8, xxh64(bytes(b[:-8])))
    return bytes(b)


def main():
    src, out = sys.argv[1], sys.argv[2]
    d = open(src, "rb").read()
    assert struct.unpack_from("<Q", d, len(d) - 8)[0] == xxh64(d[:-8]), "checksum self-test failed"
    os.makedirs(out, exist_ok=True)
    files = {
        "open-F1-subnormal-scale.fcm": with_row(d, "blocks.0.proj_w", 0, scale=1e-40, codes=[127, 0, -5, 64]),
        "open-F2-scale-overflow.fcm": with_row(d, "action_w", 0, scale=3e38),
        "open-F3-noncanonical-row.fcm": with_row(d, "blocks.0.proj_w", 0, codes=[50, -3, 0, 1]),
    }
    for name, b in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(b)


if __name__ == "__main__":
    main()
