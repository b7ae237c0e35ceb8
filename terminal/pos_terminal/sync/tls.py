"""How the till trusts its sync server: system CAs, a CA file, or a pinned certificate.

Chosen at enrollment (`pos-terminal enroll --server-ca FILE` or `--server-fingerprint
SHA256`) and kept in the till's identity row, so every later request checks the same:
- nothing given: the server's certificate must chain to the system's CAs and name its host;
- a CA file (its PEM is copied into the identity, so the file may go): chain to that CA
  and name the host (a shop's own CA);
- a fingerprint: the server's leaf certificate must be exactly that one (SHA-256 of its
  DER, as `openssl x509 -fingerprint -sha256` prints it), self-signed or not. The check
  runs in the TLS handshake, before a byte of the request (an enrollment code, a signed
  order) is sent.

Plain HTTP is refused for enrollment, whose answer carries the till's signing secret,
except to this machine (loopback) or when the operator says `--allow-plain-http`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["PinMismatch", "PlainHttpRefused", "ServerTrust", "certificate_problem", "fingerprint_of",
           "normalize_fingerprint", "require_private_channel"]

_HEX64 = re.compile(r"[0-9a-f]{64}")


class PlainHttpRefused(ValueError):
    def __init__(self, url: str) -> None:
        super().__init__(
            f"refusing to enroll over plain HTTP with {url}: the server's answer carries this till's "
            "signing secret, which anyone on the network could read and then sign orders as this till. "
            "Use an https:// URL (pos-sync-server serve --ssl-certfile/--ssl-keyfile), or, on a network "
            "you trust, say so with --allow-plain-http")


class PinMismatch(ssl.SSLCertVerificationError):
    """The server's certificate is not the pinned one."""


def normalize_fingerprint(text: str) -> str:
    """`AB:CD:...` (openssl), `sha256:abcd...` or bare hex, as 64 lowercase hex digits."""
    cleaned = text.strip().lower().removeprefix("sha256:").removeprefix("sha256 fingerprint=").replace(":", "")
    if not _HEX64.fullmatch(cleaned):
        raise ValueError(f"{text!r} is not a SHA-256 certificate fingerprint (64 hex digits, colons allowed), "
                         "e.g. from `openssl x509 -noout -fingerprint -sha256 -in cert.pem`")
    return cleaned


def fingerprint_of(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _read_ca(path: Path) -> str:
    try:
        pem = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the server CA file {path}: {exc}") from None
    try:
        ssl.create_default_context(cadata=pem)
    except (ssl.SSLError, ValueError):
        raise ValueError(f"{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)") from None
    return pem


@dataclass(frozen=True)
class ServerTrust:
    ca_pem: str | None = None
    pin_sha256: str | None = None

    @classmethod
    def from_options(cls, ca_file: Path | None = None, fingerprint: str | None = None) -> ServerTrust:
        """What the enrollment command was given; ValueError in the operator's words."""
        return cls(_read_ca(ca_file) if ca_file else None,
                   normalize_fingerprint(fingerprint) if fingerprint else None)

    @property
    def description(self) -> str:
        if self.pin_sha256:
            return f"pinned certificate sha256:{self.pin_sha256[:16]}..."
        return "the enrollment's CA certificate" if self.ca_pem else "the system's CAs"

    def ssl_context(self) -> ssl.SSLContext | bool:
        """What httpx's `verify` gets: True (system CAs) or a context doing the checks above."""
        if not self.ca_pem and not self.pin_sha256:
            return True
        context: ssl.SSLContext
        if self.pin_sha256:
            context = _PinnedContext(ssl.PROTOCOL_TLS_CLIENT)
            context.pin_sha256 = self.pin_sha256
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.ca_pem:
            context.load_verify_locations(cadata=self.ca_pem)  # CERT_REQUIRED and the host name checked
        else:
            # The pin is the whole check: a self-signed certificate names no CA to chain to.
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


class _PinnedContext(ssl.SSLContext):
    """Compares the peer's certificate with the pin right after the handshake (httpcore's
    sync backend connects through `wrap_socket`), so a wrong server never sees the request."""

    pin_sha256: str = ""

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        sock = super().wrap_socket(*args, **kwargs)
        der = sock.getpeercert(binary_form=True)
        seen = fingerprint_of(der) if der else "none"
        if seen != self.pin_sha256:
            sock.close()
            raise PinMismatch(f"the server's certificate has fingerprint sha256:{seen}, "
                              f"not the pinned sha256:{self.pin_sha256}")
        return sock

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        # TLS inside TLS (through an https:// proxy) handshakes later, out of our sight: with
        # verification off, nothing would check the pin. Refuse rather than trust anything.
        raise PinMismatch("a pinned server certificate cannot be checked through an HTTPS proxy; "
                          "reach the sync server directly or pin with --server-ca instead")


def certificate_problem(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate refusal behind a transport error, if that is what it was."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_private_channel(url: str, *, allow_plain_http: bool = False) -> None:
    """Refuse plain HTTP to anything but this machine, unless the operator opted in."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme != "http":
        raise ValueError(f"{url!r} is not an http:// or https:// URL of a sync server")
    if not (allow_plain_http or _is_loopback(parts.hostname or "")):
        raise PlainHttpRefused(url)
