"""Password hashing (argon2id at OWASP's parameters) and password rules after NIST SP 800-63B.

The rules are length (at least PASSWORD_MIN_LENGTH, at most 256 characters) and a refusal of
passwords found in lists of common and breached passwords, or built from the person's own details
(zxcvbn's dictionaries). No composition rules: NIST advises against them.
"""

import re

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MAX_LENGTH = 256
# Below this zxcvbn score a password falls to a guessing attack of about 10^8 tries: common passwords,
# dictionary words with small changes, keyboard patterns and the person's own name or email.
MIN_STRENGTH_SCORE = 3

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB of memory, 2 iterations, 1 degree of parallelism.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)
# Checked against when an account does not exist, so that a failed sign-in takes as long either way.
_UNUSABLE_HASH = _hasher.hash("an account that does not exist")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _UNUSABLE_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, min_length: int, personal_words: list[str]) -> list[str]:
    """Why this password cannot be used, in words a person can act on; an empty list when it can."""
    if len(password) < min_length:
        return [f"Password must be {min_length} characters or more"]
    if len(password) > MAX_LENGTH:
        return [f"Password must be {MAX_LENGTH} characters or fewer"]
    words = [*personal_words, "moderation", "hub", "moderationhub"]
    if _built_from(password, words):
        return [
            "Password is too easy to guess (it is built from your name or email address). Try a few unrelated words"
        ]
    result = zxcvbn(password[:100], user_inputs=words)  # zxcvbn is slow on very long inputs
    if result["score"] >= MIN_STRENGTH_SCORE:
        return []
    warning = result["feedback"]["warning"]
    reason = f" ({warning.rstrip('.').lower()})" if warning else ""
    return [f"Password is too easy to guess{reason}. Try a few unrelated words together"]


def _built_from(password: str, words: list[str]) -> bool:
    """True when little but the given words (and separators) is left of the password without them.

    zxcvbn scores "tessalder-tessalder" as fairly strong, since it does not see repeats across a separator.
    """
    rest = password.lower()
    for word in sorted({w.lower() for w in words if len(w) >= 3}, key=len, reverse=True):
        rest = rest.replace(word, "")
    return len(re.sub(r"[\W_]", "", rest)) < 5
