#!/usr/bin/env python3
"""Draws the app icon (a ballot going into a box) as PNG and ICO, with no dependencies."""
import struct, zlib, sys, os

def png(size):
    px = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            u, v = x / size, y / size
            r = 0.12
            inside = True
            for cx, cy in ((r, r), (1 - r, r), (r, 1 - r), (1 - r, 1 - r)):
                if (u < r or u > 1 - r) and (v < r or v > 1 - r):
                    if (u - cx) ** 2 + (v - cy) ** 2 > r * r and abs(u - cx) < r and abs(v - cy) < r:
                        inside = False
            color = (0, 0, 0, 0)
            if inside:
                color = (176, 32, 38, 255)            # deep red
                if 0.22 < u < 0.78 and 0.55 < v < 0.82:
                    color = (250, 246, 238, 255)      # box
                if 0.30 < u < 0.70 and 0.50 < v < 0.55:
                    color = (60, 20, 20, 255)         # slot
                if 0.38 < u < 0.62 and 0.18 < v < 0.52:
                    color = (255, 214, 64, 255)       # ballot
            row += bytes(color)
        px.append(bytes(row))
    raw = b"".join(px)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

out = sys.argv[1] if len(sys.argv) > 1 else "src-tauri/icons"
os.makedirs(out, exist_ok=True)
big = png(256)
open(os.path.join(out, "icon.png"), "wb").write(big)
small = png(32)
open(os.path.join(out, "32x32.png"), "wb").write(small)
ico = struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 32, 32, 0, 0, 1, 32, len(small), 22) + small
open(os.path.join(out, "icon.ico"), "wb").write(ico)
