"""Passwords, CSRF tokens and department links.

The secretary's password is kept as a salted scrypt hash (``scrypt$n$r$p$salt$hash``);
checking it costs ~50 ms on purpose. Each browser session holds a random CSRF token, and every
POST must send it back in the ``csrf`` field. A department's link is an unguessable token
(``secrets.token_urlsafe``), made by the storage when the department is added.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

N, R, P = 2**14, 8, 1
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; ``False`` for no or a malformed stored hash."""
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt":
            return False
        given = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest) // 2,
            maxmem=2**26,
        )
    except ValueError:
        return False
    return hmac.compare_digest(given.hex(), digest)


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: dict[str, Any], sent: object) -> bool:
    """Whether ``sent`` (the form's ``csrf`` field) is this session's token."""
    token = session.get("csrf")
    return isinstance(token, str) and isinstance(sent, str) and hmac.compare_digest(token.encode(), sent.encode())
