"""Read the frame being presented and encode it as PNG, with the standard library only.

``glReadPixels`` is called through ctypes on the GUI thread, between render
and swap (``before_swap``), when the frame is complete in the back buffer.
"""

from __future__ import annotations

import ctypes
import functools
import struct
import sys
import zlib
from dataclasses import dataclass

GL_BACK = 0x0405
GL_RGB = 0x1907
GL_UNSIGNED_BYTE = 0x1401
GL_PACK_ALIGNMENT = 0x0D05


@dataclass(frozen=True)
class RawFrame:
    width: int
    height: int
    rgb: bytes
    bottom_up: bool = True  # rows as OpenGL returns them


@functools.cache
def _libgl() -> ctypes.CDLL:
    if sys.platform == "darwin":
        return ctypes.CDLL("/System/Library/Frameworks/OpenGL.framework/OpenGL")
    if sys.platform == "win32":
        return ctypes.CDLL("opengl32")
    from ctypes.util import find_library  # here, not at the top: it pulls in tempfile and random (~3 ms)

    return ctypes.CDLL(find_library("GL") or "libGL.so.1")


def read_back_buffer(width: int, height: int) -> RawFrame:
    """The current GL context's back buffer (call on the GUI thread, before the swap)."""
    gl = _libgl()
    buffer = ctypes.create_string_buffer(width * height * 3)
    gl.glPixelStorei(GL_PACK_ALIGNMENT, 1)
    gl.glReadBuffer(GL_BACK)
    gl.glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, buffer)
    return RawFrame(width, height, buffer.raw)


def encode_png(frame: RawFrame) -> bytes:
    """A PNG (8-bit RGB) of ``frame``, top row first."""
    stride = frame.width * 3
    order = range(frame.height - 1, -1, -1) if frame.bottom_up else range(frame.height)
    rows = [frame.rgb[y * stride : (y + 1) * stride] for y in order]
    raw = b"".join(b"\x00" + row for row in rows)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", frame.width, frame.height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
