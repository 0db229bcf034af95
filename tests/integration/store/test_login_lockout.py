"""The sign-in lock-out counts attempts atomically: however many wrong passwords arrive at once (threads with
their own database connections, as two worker processes would), exactly five are checked, then the account
is locked. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from cnopad.bootstrap import Container
from cnopad.domain.access import Actor, Channel, Role
from cnopad.services import auth

WEB = Actor("web", Role.ADMIN, Channel.WEB)
PASSWORD = "correct horse battery staple"


def _user(container: Container, name: str) -> None:
    with container.unit(container.operator()) as uow:
        uow.users.add(name, Role.GP, password_hash=auth.hash_password(PASSWORD))
        uow.commit()


def _attempt(container: Container, name: str, password: str) -> str:
    try:
        with container.unit(WEB) as uow:
            auth.login(uow, name, password, now=container.clock())
    except auth.LoginRefused:
        return "refused"
    return "signed in"


def _refusal_details(container: Container) -> list[str]:
    with container.unit(container.operator()) as uow:
        return [e.detail for e in uow.audit.events(limit=1000) if e.action == "login-refused"]


def test_twelve_concurrent_wrong_passwords_check_exactly_five_then_lock_the_account(container: Container) -> None:
    _user(container, "gp-two")
    start = threading.Barrier(12)
    outcomes: list[str] = []

    def guess() -> None:
        start.wait()
        outcomes.append(_attempt(container, "gp-two", "wrong"))

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    details = _refusal_details(container)
    with container.unit(container.operator()) as uow:
        user = uow.users.by_name("gp-two")
    assert outcomes == ["refused"] * 12
    assert sum("wrong password" in d for d in details) == auth.LOCKOUT_AFTER, details
    assert details.count("user=gp-two locked") == 12 - auth.LOCKOUT_AFTER, details
    assert user is not None and user.failed_logins == auth.LOCKOUT_AFTER
    assert user.locked_until is not None
    assert _attempt(container, "gp-two", PASSWORD) == "refused", "the right password does not open a locked account"


@pytest.mark.parametrize("failures_before", [0, auth.LOCKOUT_AFTER - 1])
def test_the_right_password_before_the_lock_signs_in_and_resets_the_count(
    container: Container, failures_before: int
) -> None:
    _user(container, "gp-one")
    for _ in range(failures_before):
        assert _attempt(container, "gp-one", "wrong") == "refused"
    assert _attempt(container, "gp-one", PASSWORD) == "signed in"
    with container.unit(container.operator()) as uow:
        user = uow.users.by_name("gp-one")
    assert user is not None and user.failed_logins == 0 and user.locked_until is None
