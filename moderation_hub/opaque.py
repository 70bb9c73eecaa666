"""Opaque names for what a browser sees in place of row ids and storage keys.

Each name is an HMAC with the app's SECRET_KEY over a purpose and the things it names. The same object
named for two purposes (one image in the school's view and in a moderator's) gets two unrelated names,
and nobody without the key can link them, work back to the id or key, or order them.
"""

import hashlib
import hmac

from flask import current_app

# 128 bits: as hard to guess or collide as a storage key, and short enough for a header or a URL.
NAME_LENGTH = 32


def opaque_name(purpose: str, *parts: str | int) -> str:
    secret = current_app.config["SECRET_KEY"]
    key = secret if isinstance(secret, bytes) else secret.encode()
    # A separator no part can hold, so ("a", "b:c") and ("a:b", "c") never name the same thing.
    message = "\x00".join([purpose, *map(str, parts)]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:NAME_LENGTH]
