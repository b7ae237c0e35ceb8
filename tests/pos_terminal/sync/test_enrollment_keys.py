"""Enrollment against the real server; the secret in a keyring, never in plain text."""

from __future__ import annotations

import stat

import keyring
import pytest
from keyring.backends import fail

from pos_terminal import keys
from pos_terminal.store.db import Database
from pos_terminal.sync.client import ProblemReply
from pos_terminal.sync.enrollment import NotEnrolled, client_for, enroll, enrolled_config, load_identity

from .harness import STORE, enrollment_code, till_config


def test_enroll_stores_identity_in_db_and_secret_in_keyring(tmp_path, server, memory_keyring):
    config = till_config(tmp_path / "till")
    db = Database(config.db_path)
    identity = enroll(db, keys.KeyringStore(), "http://localhost", enrollment_code(server.db_url),
                      "till 1", transport=server.transport)

    assert identity.store_id == STORE and identity.terminal_id.startswith("T-")
    assert load_identity(db) == identity
    secret = memory_keyring.passwords[(keys.SERVICE, identity.terminal_id)]
    db.close()
    assert secret.encode() not in config.db_path.read_bytes()
    configured = enrolled_config(config)
    assert (configured.terminal_id, configured.store_id) == (identity.terminal_id, STORE)

    db = Database(config.db_path)
    with client_for(db, config, keys.KeyringStore(), transport=server.transport) as client:
        assert client.catalog_delta(0).delta is not None  # signed requests are accepted
    db.close()


def test_a_used_code_is_refused_and_nothing_is_written(tmp_path, server, memory_keyring):
    code = enrollment_code(server.db_url)
    first = Database(tmp_path / "a.sqlite3")
    enroll(first, keys.KeyringStore(), "http://localhost", code, transport=server.transport)
    second = Database(tmp_path / "b.sqlite3")
    with pytest.raises(ProblemReply) as refused:
        enroll(second, keys.KeyringStore(), "http://localhost", code, transport=server.transport)
    assert refused.value.reply.status == 403 and refused.value.reply.code == "enrollment_code_invalid"
    assert load_identity(second) is None and len(memory_keyring.passwords) == 1
    with pytest.raises(NotEnrolled, match="pos-terminal enroll"):
        client_for(second, till_config(tmp_path), keys.KeyringStore())


def test_a_lost_enrollment_answer_is_retried_with_the_same_key_and_gets_the_same_terminal(
        tmp_path, server, memory_keyring):
    db = Database(tmp_path / "till.sqlite3")
    code = enrollment_code(server.db_url)
    server.flaky.failing = server.flaky.after_processing = True  # enrolled, then the answer is lost
    with pytest.raises(ProblemReply) as lost:
        enroll(db, keys.KeyringStore(), "http://localhost", code, "till 1", transport=server.transport)
    assert lost.value.reply.status == 503 and load_identity(db) is None
    server.flaky.failing = False
    identity = enroll(db, keys.KeyringStore(), "http://localhost", code, "till 1", transport=server.transport)

    sent = [headers for _, path, _, headers in server.flaky.seen if path == "/v1/terminals/enroll"]
    assert len(sent) == 2 and sent[0]["idempotency-key"] == sent[1]["idempotency-key"]
    listed = server.admin.get(f"/v1/admin/stores/{STORE}/terminals").json()
    assert [t["terminal_id"] for t in listed] == [identity.terminal_id]  # no orphan left behind
    assert list(memory_keyring.passwords) == [(keys.SERVICE, identity.terminal_id)]  # the key is gone
    with client_for(db, till_config(tmp_path), keys.KeyringStore(), transport=server.transport) as client:
        assert client.catalog_delta(0).delta is not None
    db.close()


def test_each_till_database_has_its_own_enrollment_key(tmp_path, server, memory_keyring):
    """Two tills of one OS user share its keyring: one till's retry must never get the other's terminal."""
    server.flaky.failing = server.flaky.after_processing = True
    for name in ("a", "b"):
        db = Database(tmp_path / f"{name}.sqlite3")
        with pytest.raises(ProblemReply):
            enroll(db, keys.KeyringStore(), "http://localhost", enrollment_code(server.db_url), name,
                   transport=server.transport)
        db.close()
    first, second = (headers["idempotency-key"] for _, _, _, headers in server.flaky.seen)
    assert first != second


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_without_a_keyring_backend_the_secret_store_refuses_clearly(tmp_path, no_keyring):
    with pytest.raises(keys.SecretStoreUnavailable) as refused:
        keys.open_secret_store(tmp_path, env={})
    message = str(refused.value)
    assert "no OS keyring" in message and keys.PASSPHRASE_ENV in message
    assert not any(tmp_path.iterdir())  # nothing written, in plain text or otherwise


def test_opted_in_encrypted_file_store(tmp_path, no_keyring, caplog):
    store = keys.open_secret_store(tmp_path, env={keys.PASSPHRASE_ENV: "correct horse"})
    assert isinstance(store, keys.EncryptedFileStore)
    assert "no OS keyring" in caplog.text  # the choice is logged, never silent
    store.set("T-1", "s3cret-value")
    path = tmp_path / keys.SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"s3cret-value" not in path.read_bytes()
    assert keys.open_secret_store(tmp_path, env={keys.PASSPHRASE_ENV: "correct horse"}).get("T-1") == "s3cret-value"
    wrong = keys.open_secret_store(tmp_path, env={keys.PASSPHRASE_ENV: "wrong"})
    with pytest.raises(keys.SecretStoreError, match="wrong"):
        wrong.get("T-1")
    with pytest.raises(keys.SecretStoreError, match="another passphrase"):
        wrong.set("T-2", "x")


def test_enrollment_through_the_encrypted_store_signs_requests(tmp_path, server, no_keyring):
    config = till_config(tmp_path / "till")
    db = Database(config.db_path)
    store = keys.open_secret_store(config.data_dir, env={keys.PASSPHRASE_ENV: "pw"})
    enroll(db, store, "http://localhost", enrollment_code(server.db_url), transport=server.transport)
    with client_for(db, config, store, transport=server.transport) as client:
        assert client.catalog_delta(0).delta is not None
    db.close()
