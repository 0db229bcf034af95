"""The audit key file (created safely, refused when unusable, rotated) and the checkpoint file (batched,
shared by worker processes, copied to syslog)."""

from __future__ import annotations

import json
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from cnopad.bootstrap import build
from cnopad.domain.access import Actor
from cnopad.errors import ConfigError
from cnopad.settings import Settings
from cnopad.store import AuditKeyring, CheckpointLog, Store, add_audit_key, make_engine, open_keyring
from support.audit import append_events, drop_guards, rechain

HEX_KEY = "ab" * 32


def _settings(folder: Path, **extra: object) -> Settings:
    return Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'cnopad.db'}", **extra)  # type: ignore[arg-type]


def test_the_first_start_creates_a_key_file_only_its_owner_can_read(tmp_path: Path) -> None:
    build(_settings(tmp_path))
    key_file = tmp_path / "audit.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    (line,) = [x for x in key_file.read_text().splitlines() if not x.startswith("#")]
    key_id, key = line.split()
    assert key_id == "k1" and len(bytes.fromhex(key)) == 32
    assert stat.S_IMODE((tmp_path / "audit-checkpoints.log").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (f"k1 {'ab' * 16}\n", "key 'k1' (line 1 of {path}) is 16 bytes; at least 32 bytes (64 hex digits) are needed"),
        ("# only a comment\n", "{path} holds no key"),
        (f"k1 {HEX_KEY} extra\n", "line 1 of {path} is not '<key id> <hex digits>'"),
        (f"k1 {HEX_KEY}\nk1 {HEX_KEY}\n", "key id 'k1' appears twice in {path}"),
    ],
    ids=["too-short", "empty", "malformed", "duplicate"],
)
def test_an_unusable_key_file_stops_the_start_naming_the_setting(tmp_path: Path, content: str, reason: str) -> None:
    key_file = tmp_path / "keys"
    key_file.write_text(content)
    with pytest.raises(ConfigError) as caught:
        build(_settings(tmp_path, audit_key_file=key_file))
    assert caught.value.message == "CNOPAD_AUDIT_KEY_FILE: " + reason.format(path=key_file)


def test_an_unreadable_key_file_stops_the_start_naming_the_setting(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()  # a folder cannot be read as a file, even by root
    with pytest.raises(ConfigError, match=r"^CNOPAD_AUDIT_KEY_FILE: cannot read .*keys: Is a directory"):
        build(_settings(tmp_path, audit_key_file=tmp_path / "keys"))


def test_a_lost_key_file_is_not_replaced_by_a_new_key_once_rows_are_signed(tmp_path: Path, admin: Actor) -> None:
    container = build(_settings(tmp_path))
    append_events(container.store, admin, 1)
    (tmp_path / "audit.key").unlink()
    with pytest.raises(ConfigError, match="does not exist, but the audit log holds rows signed with an audit key"):
        build(_settings(tmp_path))
    assert not (tmp_path / "audit.key").exists()


def test_an_unwritable_checkpoint_file_or_unreachable_syslog_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match=r"^CNOPAD_AUDIT_CHECKPOINT_FILE: cannot open .*file/c\.log for appending"):
        build(_settings(tmp_path, audit_checkpoint_file=tmp_path / "file" / "c.log"))
    with pytest.raises(ConfigError, match=r"^CNOPAD_AUDIT_SYSLOG: cannot reach syslog at /nonexistent/log"):
        build(_settings(tmp_path, audit_syslog="/nonexistent/log"))


def test_verify_passes_across_a_key_rotation_and_fails_for_a_row_rehashed_without_the_key(
    database_url: str, tmp_path: Path, admin: Actor
) -> None:
    key_file, checkpoint_file = tmp_path / "keys", tmp_path / "checkpoints.log"
    engine = make_engine(database_url)

    def start() -> Store:  # a (re)start of cnopad: the key file is read again
        keyring = open_keyring(key_file, may_create=True)
        return Store(engine, keyring=keyring, checkpoints=CheckpointLog(checkpoint_file, keyring, interval=0))

    append_events(start(), admin, 3)
    assert add_audit_key(key_file) == "k2"
    store = start()
    append_events(store, admin, 3)
    with store.unit(admin) as uow:
        report = uow.audit.verify()
        keys = [e.key_id for e in reversed(uow.audit.events())]
    assert (report.problems, report.rows, report.last_checkpoint) == ([], 6, 6)
    assert keys == ["k1", "k1", "k1", "k2", "k2", "k2"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    guess = AuditKeyring({"k1": b"a guessed key".ljust(32, b"?")}, "k1")
    with engine.begin() as conn:
        drop_guards(conn)
        conn.execute(text("UPDATE audit_events SET detail = 'nothing to see' WHERE seq = 2"))
        rechain(conn, 2, guess)
    with store.unit(admin) as uow:
        problems = uow.audit.verify().problems
    assert "row 2: contents changed after it was written" in problems
    engine.dispose()


def test_rows_signed_with_a_key_missing_from_the_key_file_are_reported(store: Store, admin: Actor) -> None:
    append_events(store, admin, 2)
    other = AuditKeyring({"k7": bytes.fromhex(HEX_KEY)}, "k7")
    with Store(store.engine, keyring=other).unit(admin) as uow:
        problems = uow.audit.verify().problems
    assert problems == ["row 1: signed with key 'k1', which is not in the audit key file (and 1 more such rows)"]


def test_one_process_writes_one_checkpoint_per_interval_and_the_newest_at_the_end(tmp_path: Path) -> None:
    keyring = AuditKeyring({"k1": bytes.fromhex(HEX_KEY)}, "k1")
    now = [100.0]
    log = CheckpointLog(tmp_path / "c.log", keyring, interval=3600, monotonic=lambda: now[0])
    for seq in range(1, 6):
        log.note("log", seq, f"{seq:064x}")
    now[0] += 3600
    log.note("log", 6, f"{6:064x}")
    log.note("log", 7, f"{7:064x}")
    log.flush()
    assert [c.seq for c in log.read().checkpoints] == [1, 6, 7]


def test_a_pending_checkpoint_is_written_by_the_timer_when_no_commit_follows(tmp_path: Path) -> None:
    keyring = AuditKeyring({"k1": bytes.fromhex(HEX_KEY)}, "k1")
    log = CheckpointLog(tmp_path / "c.log", keyring, interval=0.05)
    log.note("log", 1, "a" * 64)
    log.note("log", 2, "b" * 64)
    deadline = time.monotonic() + 5
    while len(log.read().checkpoints) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [(c.seq, c.hash) for c in log.read().checkpoints] == [(1, "a" * 64), (2, "b" * 64)]


def test_checkpoints_also_go_to_syslog(tmp_path: Path) -> None:
    keyring = AuditKeyring({"k1": bytes.fromhex(HEX_KEY)}, "k1")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(5)
        port = receiver.getsockname()[1]
        log = CheckpointLog(tmp_path / "c.log", keyring, interval=0, syslog=f"127.0.0.1:{port}")
        log.note("log", 42, "c" * 64)
        datagram = receiver.recv(4096).decode()
    # priority 86 = facility authpriv (10) * 8 + severity info (6), RFC 5424 section 6.2.1
    prefix, line = datagram.rstrip("\x00").split(" ", 1)
    assert prefix == "<86>cnopad-audit-checkpoint/1"
    assert line == (tmp_path / "c.log").read_text().strip()  # the same signed line as in the file
    assert json.loads(line)["seq"] == 42


WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from cnopad.domain.access import Actor, Channel, Role
    from cnopad.store import CheckpointLog, Store, make_engine, open_keyring

    url, folder, name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    keyring = open_keyring(folder / "audit.key", may_create=False)
    store = Store(make_engine(url), keyring=keyring, checkpoints=CheckpointLog(folder / "c.log", keyring, interval=0))
    actor = Actor(name, Role.CDS_CLIENT, Channel.CDS)
    for n in range(100):
        with store.unit(actor) as uow:
            uow.audit.append(actor, "cds-patient-view", patient_id=f"p{n}", purpose="decision support")
            uow.commit()
    """
)


def test_two_worker_processes_append_checkpoints_to_one_file_without_mixing_lines(
    database_url: str, tmp_path: Path, admin: Actor
) -> None:
    keyring = open_keyring(tmp_path / "audit.key", may_create=True)
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, database_url, str(tmp_path), f"worker-{n}"]) for n in (1, 2)
    ]
    assert [w.wait(timeout=300) for w in workers] == [0, 0]
    checkpoints = CheckpointLog(tmp_path / "c.log", keyring, interval=0)
    read = checkpoints.read()
    assert read.problems == [] and sorted(c.seq for c in read.checkpoints) == list(range(1, 201))
    engine = make_engine(database_url)
    with Store(engine, keyring=keyring, checkpoints=checkpoints).unit(admin) as uow:
        report = uow.audit.verify()
    assert (report.problems, report.rows, report.last_checkpoint) == ([], 200, 200)
    engine.dispose()
