"""``verify``: check the audit log's guards, its whole chain, its head and its checkpoints.

The order of the reads matters under concurrent appends: the checkpoint file is read first (every
line in it then names a row committed before the database reads), the head before the rows (every
row up to the head is visible to the walk), and the head once more after the walk before rows
beyond it are called foreign.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cnopad.store.audit_chain import GENESIS, keyed_message, unkeyed_hash
from cnopad.store.audit_checkpoints import Checkpoint, CheckpointLog, CheckpointRead
from cnopad.store.audit_guards import check_guards
from cnopad.store.audit_keys import AuditKeyring
from cnopad.store.tables import audit_events, audit_head


@dataclass
class AuditReport:
    """The result of checking the log: rows checked, every problem found, what the checkpoints confirmed."""

    rows: int = 0
    problems: list[str] = field(default_factory=list)
    #: the checkpoint file compared with the log (None: this store writes no checkpoints)
    checkpoint_file: Path | None = None
    #: the highest row number a checkpoint confirmed
    last_checkpoint: int | None = None

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _more(count: int, what: str) -> str:
    return f" (and {count - 1} more {what})" if count > 1 else ""


@dataclass
class _Walk:
    """What walking the rows in order found."""

    keyring: AuditKeyring
    unkeyed_until: int
    checkpoints: dict[int, list[Checkpoint]]
    last_seq: int = 0
    last_hash: str = GENESIS
    hashes: dict[int, str] = field(default_factory=lambda: {0: GENESIS})  # only for the row numbers asked for
    unkeyed_late: list[int] = field(default_factory=list)
    unknown_keys: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    confirmed: list[Checkpoint] = field(default_factory=list)
    differing: list[Checkpoint] = field(default_factory=list)

    def row(self, r: Any, report: AuditReport, watch: set[int]) -> None:
        seq, prev_seq = r["seq"], self.last_seq
        report.rows += 1
        if seq != prev_seq + 1:
            gap = f"{prev_seq + 1}" if seq == prev_seq + 2 else f"{prev_seq + 1}-{seq - 1}"
            report.problems.append(
                f"row {gap} deleted (numbering jumps from {prev_seq} to {seq})"
                if seq > prev_seq
                else f"row {seq} out of order"
            )
        elif r["prev_hash"] != self.last_hash:
            report.problems.append(
                f"row {seq}: does not link to row {prev_seq} (a row was inserted or replaced before it)"
            )
        recomputed = self._recompute(r)
        if recomputed is not None and recomputed != r["hash"]:
            report.problems.append(f"row {seq}: contents changed after it was written")
        for checkpoint in self.checkpoints.get(seq, ()):
            (self.confirmed if checkpoint.hash == r["hash"] else self.differing).append(checkpoint)
        if seq in watch:
            self.hashes[seq] = r["hash"]
        self.last_seq, self.last_hash = seq, r["hash"]

    def _recompute(self, r: Any) -> str | None:
        key_id = r["key_id"]
        fields = (
            r["seq"],
            _utc(r["at"]),
            r["user_name"],
            r["user_role"],
            r["channel"],
            r["action"],
            r["patient_id"],
            r["purpose"],
            r["detail"],
            r["prev_hash"],
        )
        if key_id is None:
            if r["seq"] > self.unkeyed_until:
                self.unkeyed_late.append(r["seq"])
                return None
            return unkeyed_hash(*fields)
        if key_id not in self.keyring.keys:
            self.unknown_keys[key_id].append(r["seq"])
            return None
        return self.keyring.sign(key_id, keyed_message(key_id, *fields))

    def problems(self) -> list[str]:
        found = []
        if self.unkeyed_late:
            first = self.unkeyed_late[0]
            found.append(
                f"row {first}: carries no key id, although every row after row {self.unkeyed_until} is keyed "
                f"(written or re-hashed without the audit key){_more(len(self.unkeyed_late), 'such rows')}"
            )
        for key_id, seqs in self.unknown_keys.items():
            found.append(
                f"row {seqs[0]}: signed with key {key_id!r}, which is not in the audit key file"
                f"{_more(len(seqs), 'such rows')}"
            )
        return found


def verify_log(session: Session, keyring: AuditKeyring, checkpoints: CheckpointLog | None) -> AuditReport:
    """Check guards, chain, head and checkpoints of the audit log; every problem names what is wrong."""
    report = AuditReport(checkpoint_file=checkpoints.path if checkpoints is not None else None)
    read = checkpoints.read() if checkpoints is not None else None
    report.problems.extend(check_guards(session.connection()))
    head = session.execute(select(audit_head).where(audit_head.c.id == 1)).one_or_none()
    if head is None:
        report.problems.append("the audit head is missing (deleted outside cnopad)")
    chain_id = head.chain_id if head is not None else None
    mine = [c for c in read.checkpoints if c.log_id == chain_id] if read is not None else []
    by_seq: dict[int, list[Checkpoint]] = defaultdict(list)
    for checkpoint in mine:
        by_seq[checkpoint.seq].append(checkpoint)
    walk = _Walk(keyring, head.unkeyed_until if head is not None else 0, by_seq)
    watch = {head.seq} if head is not None else set()
    for row in session.execute(select(audit_events).order_by(audit_events.c.seq)).yield_per(1000):
        walk.row(row._mapping, report, watch)
    report.problems.extend(walk.problems())
    if head is not None:
        _check_head(session, head, walk, report)
    if read is not None and checkpoints is not None:
        _check_checkpoints(checkpoints, read, mine, head, walk, report)
    return report


def _check_head(session: Session, head: Any, walk: _Walk, report: AuditReport) -> None:
    last = walk.last_seq
    if last < head.seq:
        report.problems.append(f"rows {last + 1}-{head.seq} deleted at the end of the log")
    elif walk.hashes.get(head.seq) != head.hash:
        report.problems.append(f"the head records row {head.seq} with a hash the log does not hold (head changed)")
    if last > head.seq:
        # rows appended since the head was read are fine: they come with a newer head
        now = session.execute(select(audit_head.c.seq).where(audit_head.c.id == 1)).scalar_one_or_none()
        if now is not None and last > now:
            report.problems.append(
                f"the log ends at row {last} but its head records row {now}: rows added outside cnopad"
            )


def _check_checkpoints(
    checkpoints: CheckpointLog,
    read: CheckpointRead,
    mine: list[Checkpoint],
    head: Any,
    walk: _Walk,
    report: AuditReport,
) -> None:
    path = checkpoints.path
    report.problems.extend(read.problems)
    last = walk.last_seq
    beyond = [c for c in mine if c.seq > last]
    if beyond:
        top = max(beyond, key=lambda c: c.seq)
        report.problems.append(
            f"the checkpoint written {top.at} (line {top.line} of {path}) records row {top.seq}, but the log "
            f"ends at row {last}: rows {last + 1}-{top.seq} were removed"
        )
    seen = {c.seq for c in walk.confirmed} | {c.seq for c in walk.differing}
    missing = sorted((c for c in mine if c.seq <= last and c.seq not in seen), key=lambda c: c.seq)
    if missing:
        report.problems.append(
            f"row {missing[0].seq}, confirmed by the checkpoint on line {missing[0].line} of {path}, "
            f"is missing{_more(len(missing), 'missing checkpointed rows')}"
        )
    if walk.differing:
        first = min(walk.differing, key=lambda c: c.seq)
        report.problems.append(
            f"row {first.seq}: its hash differs from the checkpoint written {first.at} (line {first.line} of "
            f"{path}): the log was re-chained{_more(len(walk.differing), 'differing checkpoints')}"
        )
    if walk.confirmed:
        report.last_checkpoint = max(c.seq for c in walk.confirmed)
    if mine or head is None:
        return
    others = [c for c in read.checkpoints if c.log_id != head.chain_id]
    if others:
        top = max(others, key=lambda c: c.seq)
        report.problems.append(
            f"the checkpoint file {path} holds no checkpoint of this log (id {head.chain_id}) but "
            f"{len(others)} of another log (id {top.log_id}, up to row {top.seq}): the database was replaced "
            "or re-created, or two databases share CNOPAD_AUDIT_CHECKPOINT_FILE"
        )
    elif head.seq > head.unkeyed_until:
        where = f"the checkpoint file {path} holds none" if read.exists else f"there is no checkpoint file at {path}"
        report.problems.append(f"no checkpoint confirms this log's head ({where})")
