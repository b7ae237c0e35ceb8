"""TLS end to end: the real server under uvicorn with a certificate made here (cryptography),
a till that enrolls trusting a CA or a pinned fingerprint, refuses a wrong certificate or
pin before sending anything, keeps its trust for later requests; plain HTTP enrollment
refused to anything but loopback unless the operator opts in."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import create_engine, text

from pos_protocol import wire
from pos_terminal import keys
from pos_terminal.store.db import Database
from pos_terminal.sync.client import UntrustedServer
from pos_terminal.sync.enrollment import client_for, enroll, enroll_cli, load_identity
from pos_terminal.sync.tls import PlainHttpRefused, ServerTrust, normalize_fingerprint
from tools.launcher import ServerProcess

from .harness import enrollment_code, prepare_server_db, till_config

pytestmark = pytest.mark.slow
BEAT = wire.Heartbeat(queue_depth=0, oldest_pending_age_s=0, app_version="test")


@dataclass
class Issued:
    cert_pem: Path
    key_pem: Path
    fingerprint: str  # openssl style, AB:CD:...


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca(tmp: Path, name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    path = tmp / f"{name}-ca.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key, path


def _server_cert(tmp: Path, name: str, ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Path]) -> Issued:
    ca_cert, ca_key, _ = ca
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    sans = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (x509.CertificateBuilder().subject_name(_name(name)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = tmp / f"{name}.pem", tmp / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return Issued(cert_path, key_path, ":".join(digest[i:i + 2] for i in range(0, 64, 2)))


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("pki")
    shop_ca, other_ca = _ca(tmp, "shop"), _ca(tmp, "other")
    return {"shop_ca": shop_ca[2], "other_ca": other_ca[2], "server": _server_cert(tmp, "sync", shop_ca),
            "impostor": _server_cert(tmp, "impostor", other_ca)}


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory, pki):
    tmp = tmp_path_factory.mktemp("tls-server")
    db_url = f"sqlite:///{tmp / 'server.sqlite3'}"
    prepare_server_db(db_url)
    tls = (pki["server"].cert_pem, pki["server"].key_pem)
    with ServerProcess(db_url, tls=tls, log_path=tmp / "server.log") as server:
        yield server


def _used_codes(db_url: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        used = conn.execute(text("SELECT count(*) FROM enrollment_codes WHERE used_at IS NOT NULL")).scalar_one()
    engine.dispose()
    return used


def _till(tmp_path: Path, name: str) -> tuple[Database, object]:
    config = till_config(tmp_path / name)
    return Database(config.db_path), config


def test_a_till_trusting_the_shop_ca_enrolls_and_keeps_signing_over_tls(tmp_path, tls_server, pki, memory_keyring):
    db, config = _till(tmp_path, "till")
    ca_file = tmp_path / "given-ca.pem"
    ca_file.write_bytes(pki["shop_ca"].read_bytes())
    trust = ServerTrust.from_options(ca_file=ca_file)
    identity = enroll(db, keys.KeyringStore(), tls_server.url, enrollment_code(tls_server.db_url), "till",
                      trust=trust)
    assert identity.server_url.startswith("https://")
    ca_file.unlink()  # the CA's PEM was copied into the identity: the file may go
    assert load_identity(db).server_ca_pem == trust.ca_pem
    with client_for(db, config, keys.KeyringStore()) as client:
        client.heartbeat(BEAT)  # a signed request, over TLS, with the kept trust
        assert client.catalog_delta(0).delta is not None
    db.close()


def test_a_wrong_ca_is_refused_before_the_code_is_sent(tmp_path, tls_server, pki, memory_keyring):
    db, _ = _till(tmp_path, "till")
    used_before = _used_codes(tls_server.db_url)
    code = enrollment_code(tls_server.db_url)
    with pytest.raises(UntrustedServer, match="certificate this till trusts"):
        enroll(db, keys.KeyringStore(), tls_server.url, code, "till",
               trust=ServerTrust.from_options(ca_file=pki["other_ca"]))
    with pytest.raises(UntrustedServer):  # no trust given: the system's CAs do not know the shop's
        enroll(db, keys.KeyringStore(), tls_server.url, code, "till")
    assert load_identity(db) is None
    assert _used_codes(tls_server.db_url) == used_before  # the handshake failed: nothing reached the server
    db.close()


def test_a_pinned_fingerprint_is_the_whole_check(tmp_path, tls_server, pki, memory_keyring):
    used_before = _used_codes(tls_server.db_url)
    db, _ = _till(tmp_path, "wrong-pin")
    with pytest.raises(UntrustedServer, match="not the pinned"):
        enroll(db, keys.KeyringStore(), tls_server.url, enrollment_code(tls_server.db_url), "till",
               trust=ServerTrust.from_options(fingerprint=pki["impostor"].fingerprint))
    assert _used_codes(tls_server.db_url) == used_before
    db.close()

    db, config = _till(tmp_path, "pinned")
    trust = ServerTrust.from_options(fingerprint=pki["server"].fingerprint)
    identity = enroll(db, keys.KeyringStore(), tls_server.url, enrollment_code(tls_server.db_url), "till", trust=trust)
    assert identity.server_pin_sha256 == normalize_fingerprint(pki["server"].fingerprint)
    with client_for(db, config, keys.KeyringStore()) as client:
        client.heartbeat(BEAT)
    db.close()


def test_a_till_pinned_to_one_server_refuses_an_impostor_later(tmp_path, pki, tls_server, memory_keyring):
    """The trust kept at enrollment checks every later request: the same address serving
    another certificate (a man in the middle) is refused."""
    db, config = _till(tmp_path, "till")
    trust = ServerTrust.from_options(fingerprint=pki["server"].fingerprint)
    enroll(db, keys.KeyringStore(), tls_server.url, enrollment_code(tls_server.db_url), "till", trust=trust)
    tls_server.stop()
    impostor = ServerProcess(tls_server.db_url, port=tls_server.port,
                             tls=(pki["impostor"].cert_pem, pki["impostor"].key_pem))
    try:
        with impostor, client_for(db, config, keys.KeyringStore()) as client:
            with pytest.raises(UntrustedServer, match="not the pinned"):
                client.heartbeat(BEAT)
    finally:
        tls_server.start()
        db.close()


def _lan_address() -> str:
    """An address of this machine that is not loopback (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        except OSError:
            address = ""
    if not address or ipaddress.ip_address(address).is_loopback:
        pytest.skip("this machine has no non-loopback IPv4 address to serve plain HTTP on")
    return address


def test_plain_http_enrollment_to_another_machine_needs_the_operators_word(tmp_path, memory_keyring, capsys):
    address = _lan_address()
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    prepare_server_db(db_url)
    with ServerProcess(db_url, host="0.0.0.0", log_path=tmp_path / "server.log") as server:
        url = f"http://{address}:{server.port}"
        db, config = _till(tmp_path, "till")
        code = enrollment_code(db_url)
        with pytest.raises(PlainHttpRefused, match="signing secret"):
            enroll(db, keys.KeyringStore(), url, code, "till")
        assert _used_codes(db_url) == 0 and load_identity(db) is None

        assert enroll_cli(config, code, url, "till") == 2
        err = capsys.readouterr().err
        assert "refusing to enroll over plain HTTP" in err and "--allow-plain-http" in err

        identity = enroll(db, keys.KeyringStore(), url, code, "till", allow_plain_http=True)
        assert identity.server_url == url
        db.close()


def test_loopback_needs_no_opt_in_and_bad_trust_options_are_refused_in_words(tmp_path, capsys):
    from pos_terminal.sync.tls import require_private_channel

    for url in ("http://127.0.0.1:8700", "http://localhost:8700", "http://[::1]:8700", "https://sync.example"):
        require_private_channel(url)
    with pytest.raises(PlainHttpRefused):
        require_private_channel("http://sync.example:8700")
    config = till_config(tmp_path / "till")
    assert enroll_cli(config, "CODE", "https://sync.example", None, server_fingerprint="12:34") == 2
    assert "not a SHA-256 certificate fingerprint" in capsys.readouterr().err
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("hello")
    assert enroll_cli(config, "CODE", "https://sync.example", None, server_ca=not_pem) == 2
    assert "holds no PEM certificate" in capsys.readouterr().err


def test_a_pin_is_never_skipped_through_an_https_proxy():
    """TLS inside TLS handshakes where the pin check cannot see it: refused, not trusted."""
    import ssl

    from pos_terminal.sync.tls import PinMismatch

    context = ServerTrust(pin_sha256="0" * 64).ssl_context()
    with pytest.raises(PinMismatch, match="HTTPS proxy"):
        context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="sync.example")
