#!/usr/bin/env python3
"""Writes the app icons as RGBA PNGs (Tauri rejects RGB): a rounded indigo
square with a white "U". Standard library only, so it runs anywhere."""
import struct, zlib, sys, os

def png(size):
    rows = []
    r = size * 0.2
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            # rounded square mask
            cx = min(max(x, r), size - 1 - r); cy = min(max(y, r), size - 1 - r)
            inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
            px = (0, 0, 0, 0)
            if inside:
                px = (79, 70, 229, 255)
                # the "U": two bars and a bottom arc
                u, t = x / size, y / size
                bar = 0.09
                left = 0.28 <= u <= 0.28 + bar and 0.22 <= t <= 0.58
                right = 0.72 - bar <= u <= 0.72 and 0.22 <= t <= 0.58
                d = ((u - 0.5) ** 2 + (t - 0.58) ** 2) ** 0.5
                arc = t >= 0.58 and 0.22 - bar <= d <= 0.22
                if left or right or arc:
                    px = (255, 255, 255, 255)
            row.extend(px)
        rows.append(bytes(row))
    raw = b"".join(rows)
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")

out = sys.argv[1] if len(sys.argv) > 1 else "icons"
os.makedirs(out, exist_ok=True)
for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    with open(os.path.join(out, name), "wb") as f:
        f.write(png(size))
