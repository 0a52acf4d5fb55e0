"""The TLS presentation language of RFC 9420 section 2.1, strictly (profile
ENC-1, ENC-2): what both the shim protocol and the profile's messages use."""
import struct


class Malformed(Exception):
    pass


class Reader:
    def __init__(self, data):
        self.data, self.pos = bytes(data), 0

    def _take(self, n):
        if self.pos + n > len(self.data):
            raise Malformed("runs past its container")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def u8(self):
        return self._take(1)[0]

    def u16(self):
        return struct.unpack(">H", self._take(2))[0]

    def u32(self):
        return struct.unpack(">I", self._take(4))[0]

    def u64(self):
        return struct.unpack(">Q", self._take(8))[0]

    def varint(self):
        first = self.data[self.pos] if self.pos < len(self.data) else None
        if first is None:
            raise Malformed("truncated length")
        prefix = first >> 6
        if prefix == 3:
            raise Malformed("length prefix 0b11")
        size = 1 << prefix
        value = int.from_bytes(self._take(size), "big") & ((1 << (8 * size - 2)) - 1)
        if size > 1 and value < (1 << (8 * (size >> 1) - 2)):
            raise Malformed("length not in its fewest bytes")
        return value

    def vec(self):
        return self._take(self.varint())

    def fixed(self, n):
        return self._take(n)

    def end(self):
        if self.pos != len(self.data):
            raise Malformed("trailing bytes")


def varint(n):
    if n < 1 << 6:
        return struct.pack(">B", n)
    if n < 1 << 14:
        return struct.pack(">H", 0x4000 | n)
    if n < 1 << 30:
        return struct.pack(">I", 0x80000000 | n)
    raise ValueError("too long for a vector")


def vec(data):
    return varint(len(data)) + bytes(data)


def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)
