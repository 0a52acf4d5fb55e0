"""Ed25519 (RFC 8032, section 5.1) in plain Python, for the example shim only.

Slow and not constant-time: fine for a conformance test of a toy, never for
production keys. Points are kept in extended coordinates (X, Y, Z, T) with
x = X/Z, y = Y/Z, x*y = T/Z.
"""
import hashlib

P = 2 ** 255 - 19
L = 2 ** 252 + 27742317777372353535851937790883648493


def _inv(x):
    return pow(x, P - 2, P)


D = -121665 * _inv(121666) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1, 1, 0)


def _add(a, b):
    # Section 5.1.4, "add-2008-hwcd-3".
    e1 = (a[1] - a[0]) * (b[1] - b[0]) % P
    e2 = (a[1] + a[0]) * (b[1] + b[0]) % P
    c = 2 * a[3] * b[3] * D % P
    d = 2 * a[2] * b[2] % P
    e, f, g, h = e2 - e1, d - c, d + c, e2 + e1
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s, point):
    result = IDENTITY
    while s:
        if s & 1:
            result = _add(result, point)
        point = _add(point, point)
        s >>= 1
    return result


def _same(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _x_from_y(y, sign):
    # Section 5.1.3: x^2 = (y^2 - 1) / (d y^2 + 1).
    if y >= P:
        return None
    x2 = (y * y - 1) * _inv(D * y * y + 1) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    return P - x if (x & 1) != sign else x


_BY = 4 * _inv(5) % P
_BX = _x_from_y(_BY, 0)
BASE = (_BX, _BY, 1, _BX * _BY % P)


def _encode(point):
    zi = _inv(point[2])
    x, y = point[0] * zi % P, point[1] * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _decode(data):
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = _x_from_y(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


def _h(data):
    return int.from_bytes(hashlib.sha512(data).digest(), "little")


def _expand(secret):
    digest = hashlib.sha512(secret).digest()
    a = int.from_bytes(digest[:32], "little")
    a = (a & ((1 << 254) - 8)) | (1 << 254)  # clamp
    return a, digest[32:]


def public_key(secret):
    return _encode(_mul(_expand(secret)[0], BASE))


def sign(secret, message):
    a, prefix = _expand(secret)
    pub = _encode(_mul(a, BASE))
    r = _h(prefix + message) % L
    big_r = _encode(_mul(r, BASE))
    s = (r + _h(big_r + pub + message) * a) % L
    return big_r + s.to_bytes(32, "little")


def verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        return False
    a, r = _decode(public), _decode(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    h = _h(signature[:32] + public + message) % L
    return _same(_mul(s, BASE), _add(r, _mul(h, a)))
