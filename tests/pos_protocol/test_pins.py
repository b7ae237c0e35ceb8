"""The one PIN hash format both sides read (pos_protocol.pins)."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from pos_protocol.pins import PinHashError, check_pin_hash, hash_pin, verify_pin


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_a_hash_made_by_the_earlier_till_code_still_verifies() -> None:
    # Tills in the field hashed with cryptography's Scrypt in the same format: their
    # stored PINs must keep working after the move to hashlib.scrypt.
    salt = os.urandom(16)
    key = Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(b"1234")
    old = f"scrypt${2**14}$8$1${_b64(salt)}${_b64(key)}"
    assert verify_pin("1234", old) and not verify_pin("1235", old)


def test_a_new_hash_verifies_with_the_earlier_kdf_too() -> None:
    _, n, r, p, salt, key = hash_pin("97531").split("$")
    derived = Scrypt(salt=base64.b64decode(salt), length=32, n=int(n), r=int(r), p=int(p)).derive(b"97531")
    assert derived == base64.b64decode(key)


@pytest.mark.parametrize("bad", [
    "plain-1234", "scrypt$16384$8$1$c2FsdA==", "bcrypt$16384$8$1$c2FsdA==$a2V5",
    "scrypt$1000$8$1$c2FsdA==$a2V5",  # n not a power of two
    f"scrypt${2**24}$8$1$c2FsdA==$a2V5",  # a cost that would stall a till (16 GiB)
    "scrypt$16384$8$1$not base64!$a2V5",
])
def test_a_malformed_or_hostile_hash_is_refused(bad: str) -> None:
    with pytest.raises(PinHashError):
        check_pin_hash(bad)
    with pytest.raises(ValueError):
        verify_pin("1234", bad)
