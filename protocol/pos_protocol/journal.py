"""The audit journal's hash chain, shared: the till writes it, the server checks what it ships.

Each entry stores the SHA-256 of its predecessor (`prev_hash`, GENESIS for the first) and
its own hash over (prev_hash, seq, time, actor, action, subject, payload). Changing,
deleting or reordering an entry breaks the chain from that entry on.
"""

from __future__ import annotations

import hashlib

GENESIS = "0" * 64
"""The `prev_hash` of a journal's first entry."""


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str,
               subject: str | None, payload: str) -> str:
    """SHA-256 hex of one entry; `at` is the entry's time as the till wrote it (isoformat),
    `payload` its canonical JSON text: the exact strings hashed, so both sides agree."""
    material = "\n".join([prev_hash, str(seq), at, actor, action, subject or "", payload])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
