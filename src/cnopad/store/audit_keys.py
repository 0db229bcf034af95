"""The audit keys: HMAC-SHA256 keys kept in a file outside the database (``CNOPAD_AUDIT_KEY_FILE``).

The file holds one key per line, ``<key id> <hex>``; the last line signs new rows and checkpoints,
the earlier ones verify what they signed. Someone who can write the database but not read this file
cannot re-hash a changed row so that it verifies.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cnopad.errors import ConfigError

#: bytes of a new key, and the least a key may have (the HMAC-SHA256 output size, RFC 2104 section 3)
KEY_BYTES = 32
VARIABLE = "CNOPAD_AUDIT_KEY_FILE"
_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")
_HEADER = (
    "# cnopad audit keys: one key per line, '<key id> <hex>'. The last line signs new audit rows.\n"
    "# Keep every key: older keys verify the rows they signed. Back this file up apart from the database.\n"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: keys are never compared by value
class AuditKeyring:
    """The audit keys by id, and the id of the key that signs new rows."""

    keys: dict[str, bytes] = field(repr=False)
    current: str

    def sign(self, key_id: str, message: bytes) -> str:
        """HMAC-SHA256 of ``message`` under key ``key_id``, as 64 hex digits (KeyError: unknown id)."""
        return hmac.new(self.keys[key_id], message, hashlib.sha256).hexdigest()

    @classmethod
    def ephemeral(cls) -> AuditKeyring:
        """A random key held only in memory: for tests and benchmarks that build a store by hand.

        The composition root (``cnopad.bootstrap``) always passes the configured key file.
        """
        return cls({"ephemeral": secrets.token_bytes(KEY_BYTES)}, "ephemeral")


def _fail(reason: str) -> ConfigError:
    return ConfigError(f"{VARIABLE}: {reason}")


def parse_keyring(text: str, path: Path) -> AuditKeyring:
    """Read a key file's text; a malformed line, a duplicate id or a short key is a ConfigError."""
    keys: dict[str, bytes] = {}
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or not _ID.fullmatch(parts[0]) or not re.fullmatch(r"[0-9a-fA-F]+", parts[1]):
            msg = f"line {number} of {path} is not '<key id> <hex digits>'"
            raise _fail(msg)
        key_id, hex_key = parts
        if key_id in keys:
            msg = f"key id {key_id!r} appears twice in {path}"
            raise _fail(msg)
        if len(hex_key) % 2 or len(hex_key) < 2 * KEY_BYTES:
            msg = (
                f"key {key_id!r} (line {number} of {path}) is {len(hex_key) // 2} bytes; "
                f"at least {KEY_BYTES} bytes ({2 * KEY_BYTES} hex digits) are needed"
            )
            raise _fail(msg)
        keys[key_id] = bytes.fromhex(hex_key)
        current = key_id
    if not keys:
        msg = f"{path} holds no key"
        raise _fail(msg)
    return AuditKeyring(keys, current)


def read_keyring(path: Path) -> AuditKeyring:
    """Load the key file; unreadable, malformed or too short is a ConfigError naming the setting."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        msg = f"cannot read {path}: {reason}"
        raise _fail(msg) from exc
    with contextlib.suppress(OSError):
        if os.name == "posix" and path.stat().st_mode & 0o077:
            log.warning("the audit key file %s can be read by other users: restrict it with chmod 600", path)
    return parse_keyring(text, path)


def _write_new(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` (mode 0600) only if it does not exist yet; False when it did.

    The complete file is written under a temporary name and linked into place, so a concurrent
    starter (another worker) never reads half a key file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)


def new_key_line(key_id: str) -> str:
    """One key-file line with a fresh random key."""
    return f"{key_id} {secrets.token_hex(KEY_BYTES)}\n"


def open_keyring(path: Path, *, may_create: bool) -> AuditKeyring:
    """The key file at ``path``; when it does not exist and ``may_create``, a new one with one key (mode 0600).

    ``may_create`` is False when the audit log already holds keyed rows: a new key could not verify
    them, so the operator must restore the file instead.
    """
    if not path.exists():
        if not may_create:
            msg = (
                f"{path} does not exist, but the audit log holds rows signed with an audit key; "
                "restore the key file from its backup"
            )
            raise _fail(msg)
        try:
            _write_new(path, _HEADER + new_key_line("k1"))
        except OSError as exc:
            msg = f"cannot create {path}: {exc.strerror or exc}"
            raise _fail(msg) from exc
    return read_keyring(path)


def add_audit_key(path: Path) -> str:
    """Add a new key to the key file (it signs from the next start on); return its id.

    The old keys stay: they verify the rows they signed. The file is replaced as a whole, keeping mode 0600.
    """
    keyring = read_keyring(path)
    number = len(keyring.keys) + 1
    while f"k{number}" in keyring.keys:
        number += 1
    key_id = f"k{number}"
    text = path.read_text(encoding="ascii")
    if text and not text.endswith("\n"):
        text += "\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text + new_key_line(key_id))
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise _fail(msg) from exc
    return key_id
