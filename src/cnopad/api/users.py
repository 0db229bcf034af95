"""REST routes for administrators: the users of this installation (no clinical data)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from cnopad.api.deps import ActorDep, ContainerDep
from cnopad.api.problems import problem_responses
from cnopad.services import users as svc

router = APIRouter(prefix="/api/users", tags=["administration"], responses=problem_responses(401, 403))


class UserOut(BaseModel):
    """A user as an administrator sees them (never a password or token hash)."""

    name: str
    role: str
    practitioner: str | None
    active: bool


@router.get("", operation_id="listUsers", response_model=list[UserOut], summary="List the users (administrators)")
def list_users(container: ContainerDep, actor: ActorDep) -> list[UserOut]:
    """Every user with their role and practitioner identifier; for administrators only (audited)."""
    with container.unit(actor) as uow:
        found = svc.list_users(uow)
    return [
        UserOut(
            name=u.name,
            role=u.role.value,
            practitioner="|".join(u.practitioner) if u.practitioner else None,
            active=u.active,
        )
        for u in found
    ]
