"""Signed checkpoints of the audit log's head, kept outside the database (``CNOPAD_AUDIT_CHECKPOINT_FILE``).

After a commit that appended to the audit log, the new head (row number and hash) is written as one
JSON line with an HMAC under the current audit key. ``verify`` compares the database with these
lines: a head behind a checkpoint (rows removed), a row whose hash differs from its checkpoint (the
log re-chained), a line whose HMAC fails.

Cost and batching: one process writes at most one line per ``CNOPAD_AUDIT_CHECKPOINT_INTERVAL``
seconds (default 1). The first head of a process is written at once; a later one waits for the
interval (a timer thread writes it if no further commit comes, the exit handler at the latest). A
line costs an HMAC and one ``write`` on a file opened with ``O_APPEND`` - microseconds, no fsync -
so the request that commits never waits on storage; batching keeps the file at one line per
second per busy worker instead of one per request. Each line is one ``write`` call on a file
opened ``O_APPEND``, so worker processes can share the file: the kernel places every line whole at
the end (local file systems; not NFS).
"""

from __future__ import annotations

import atexit
import hmac
import json
import logging
import logging.handlers
import math
import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cnopad.errors import ConfigError
from cnopad.store.audit_keys import AuditKeyring

FORMAT = "cnopad-audit-checkpoint/1"
VARIABLE = "CNOPAD_AUDIT_CHECKPOINT_FILE"
SYSLOG_VARIABLE = "CNOPAD_AUDIT_SYSLOG"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One verified checkpoint line: the head of audit log ``log_id`` was row ``seq`` with ``hash``."""

    log_id: str
    seq: int
    hash: str
    at: str
    line: int


@dataclass
class CheckpointRead:
    """The checkpoints whose HMAC verified, and what was wrong with the other lines."""

    checkpoints: list[Checkpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    exists: bool = True


def _mac_message(log_id: str, seq: int, digest: str, at: str, key_id: str) -> bytes:
    return json.dumps([FORMAT, log_id, seq, digest, at, key_id], ensure_ascii=True, separators=(",", ":")).encode(
        "ascii"
    )


def _syslog_handler(address: str) -> logging.Handler:
    """A syslog handler for a Unix socket path (``/dev/log``) or ``host[:port]`` (UDP, port 514)."""
    target: str | tuple[str, int]
    if address.startswith("/"):
        if not Path(address).exists():  # the handler itself ignores a socket it cannot reach
            msg = f"{SYSLOG_VARIABLE}: cannot reach syslog at {address}: no such socket"
            raise ConfigError(msg)
        target = address
    else:
        host, _, port = address.rpartition(":") if ":" in address else (address, "", "514")
        if not host or not port.isdigit():
            msg = f"{SYSLOG_VARIABLE}: {address!r} is neither a socket path nor host:port"
            raise ConfigError(msg)
        target = (host, int(port))
    try:
        return logging.handlers.SysLogHandler(target, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV)
    except OSError as exc:
        msg = f"{SYSLOG_VARIABLE}: cannot reach syslog at {address}: {exc.strerror or exc}"
        raise ConfigError(msg) from exc


class CheckpointLog:
    """Writes signed head checkpoints to an append-only file (and syslog), and reads them back."""

    def __init__(
        self,
        path: Path,
        keyring: AuditKeyring,
        *,
        interval: float = 1.0,
        syslog: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.keyring = keyring
        self.interval = interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[int, str]] = {}
        self._written: dict[str, int] = {}
        self._last_write = -math.inf
        self._timer: threading.Timer | None = None
        self._syslog: logging.Logger | None = None
        self._open_for_append()
        if syslog:
            self._syslog = logging.Logger("cnopad.audit.checkpoint")
            self._syslog.addHandler(_syslog_handler(syslog))
        _open_logs.add(self)

    def _open_for_append(self) -> None:
        """Create the file (mode 0600) or check it can be appended to; refuse to start otherwise."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))
        except OSError as exc:
            msg = f"{VARIABLE}: cannot open {self.path} for appending: {exc.strerror or exc}"
            raise ConfigError(msg) from exc

    def note(self, log_id: str, seq: int, digest: str) -> None:
        """A commit made row ``seq`` (hash ``digest``) the head: checkpoint it now or within the interval."""
        with self._lock:
            if seq <= max(self._pending.get(log_id, (0, ""))[0], self._written.get(log_id, 0)):
                return  # another thread already noted a newer head
            self._pending[log_id] = (seq, digest)
            wait = self._last_write + self.interval - self._monotonic()
            if wait <= 0:
                self._write_pending()
            elif self._timer is None:
                self._timer = threading.Timer(wait, self._on_timer)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        """Write the newest noted head now (at exit, and for tests)."""
        with self._lock:
            self._write_pending()

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
            self._write_pending()

    def _write_pending(self) -> None:
        for log_id, (seq, digest) in self._pending.items():
            self._write(self.line(log_id, seq, digest))
            self._written[log_id] = seq
        self._pending.clear()
        self._last_write = self._monotonic()

    def line(self, log_id: str, seq: int, digest: str) -> str:
        """The signed checkpoint line for a head, ending in a newline."""
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        key_id = self.keyring.current
        mac = self.keyring.sign(key_id, _mac_message(log_id, seq, digest, at, key_id))
        record = {"log": log_id, "seq": seq, "hash": digest, "at": at, "key": key_id, "mac": mac}
        return json.dumps(record, separators=(",", ":")) + "\n"

    def _write(self, line: str) -> None:
        # the commit is already durable: a checkpoint that cannot be written is logged, never raised
        data = line.encode("ascii")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if os.write(fd, data) != len(data):
                    log.warning("an audit checkpoint was written only in part to %s", self.path)
            finally:
                os.close(fd)
        except OSError as exc:
            log.warning("could not write an audit checkpoint to %s: %s", self.path, exc.strerror or exc)
        if self._syslog is not None:
            self._syslog.info("%s %s", FORMAT, line.rstrip("\n"))

    def read(self) -> CheckpointRead:
        """Every line of the file: checkpoints whose HMAC verifies, and a problem per other kind of line."""
        result = CheckpointRead()
        bad: dict[str, list[int]] = {}
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            result.exists = False
            return result
        except OSError as exc:
            result.problems.append(f"cannot read the checkpoint file {self.path}: {exc.strerror or exc}")
            return result
        with handle:
            for number, raw in enumerate(handle, start=1):
                checkpoint, kind = self._parse(raw, number)
                if checkpoint is not None:
                    result.checkpoints.append(checkpoint)
                elif kind:
                    bad.setdefault(kind, []).append(number)
        for kind, numbers in bad.items():
            more = f" (and {len(numbers) - 1} more such lines)" if len(numbers) > 1 else ""
            result.problems.append(f"checkpoint file {self.path}, line {numbers[0]}: {kind}{more}")
        return result

    def _parse(self, raw: bytes, number: int) -> tuple[Checkpoint | None, str]:
        if not raw.strip():
            return None, ""
        try:
            record = json.loads(raw)
            log_id, seq, digest, at = record["log"], record["seq"], record["hash"], record["at"]
            key_id, mac = record["key"], record["mac"]
            if not all(isinstance(v, str) for v in (log_id, digest, at, key_id, mac)) or type(seq) is not int:
                raise TypeError
        except (ValueError, TypeError, KeyError):
            return None, "not a checkpoint line"
        if key_id not in self.keyring.keys:
            return None, f"signed with key {key_id!r}, which is not in the audit key file"
        expected = self.keyring.sign(key_id, _mac_message(log_id, seq, digest, at, key_id))
        if not hmac.compare_digest(expected, mac):
            return None, "its signature does not verify (the line was changed or written without the audit key)"
        return Checkpoint(log_id, seq, digest, at, number), ""


_open_logs: weakref.WeakSet[CheckpointLog] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    for checkpoints in list(_open_logs):
        checkpoints.flush()
