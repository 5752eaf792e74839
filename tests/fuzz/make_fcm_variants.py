#!/usr/bin/env python3
"""Writes truncated and bit-flipped variants of a valid .fcm file into the reader's seed corpus.

Usage: make_fcm_variants.py SEED.fcm OUT_DIR
Each variant breaks one thing the reader checks (layout in src/format/fcm.h): a truncation, the magic, the
version, the header size, the declared file size, a config entry, a string length, the tensor table, the data
or the checksum. fuzz_fcm_reader also re-reads every input with its size and checksum patched, so a flip in a
field reaches that field's check as well as the checksum check. Deterministic.
"""
import os
import struct
import sys


def u32(b, at):
    return struct.unpack_from("<I", b, at)[0]


def main():
    src, out = sys.argv[1], sys.argv[2]
    data = bytearray(open(src, "rb").read())
    base = os.path.splitext(os.path.basename(src))[0]
    n = len(data)
    variants = {}

    for cut in (0, 3, 4, 7, 20, 27, 28, n // 2, n - 9, n - 1):
        variants[f"trunc{cut}"] = data[:cut]
    variants["trailing"] = data + b"\0"

    def flipped(at, mask=0x01):
        b = bytearray(data)
        b[at] ^= mask
        return b

    def patched_u32(at, v):
        b = bytearray(data)
        struct.pack_into("<I", b, at, v)
        return b

    variants["magic_swapped"] = bytearray(b"1MCF") + data[4:]
    variants["version2"] = patched_u32(4, 2)
    variants["version0"] = patched_u32(4, 0)
    variants["header_size_odd"] = patched_u32(8, u32(data, 8) + 1)
    variants["file_size_big"] = flipped(12 + 4, 0x01)
    # Config: count at 20, then (key, value) pairs.
    variants["config_count_max"] = patched_u32(20, 0xFFFFFFFF)
    variants["config_key_unknown"] = patched_u32(24, 12)
    variants["config_dim_zero"] = patched_u32(28, 0)
    cfg_end = 24 + 8 * u32(data, 20)
    variants["action_count"] = patched_u32(cfg_end, u32(data, cfg_end) + 1)
    variants["action_name_len"] = patched_u32(cfg_end + 4, 0xFFFFFFF0)
    header = u32(data, 8)
    for frac in (3, 2):
        at = cfg_end + (header - cfg_end) // frac
        variants[f"header_flip_{frac}"] = flipped(at, 0x80)
    variants["data_flip"] = flipped(header + 5, 0x40)
    variants["data_nan"] = bytearray(data[:header]) + b"\xff\xff\xff\x7f" + data[header + 4:]
    variants["checksum_flip"] = flipped(n - 1, 0x80)

    os.makedirs(out, exist_ok=True)
    for name, b in variants.items():
        with open(os.path.join(out, f"{base}_{name}.fcm"), "wb") as f:
            f.write(bytes(b))


if __name__ == "__main__":
    main()
