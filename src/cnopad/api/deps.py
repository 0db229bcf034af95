"""Request dependencies: the container, and the authenticated actor (API token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cnopad.api.problems import Unauthenticated
from cnopad.bootstrap import Container
from cnopad.domain.access import Actor, Channel, Role

_bearer = HTTPBearer(auto_error=False, description="API token from `cnopad user add NAME --role ROLE`.")


async def get_container(request: Request) -> Container:
    """The process-wide container (async: no thread-pool hop for a plain attribute read)."""
    container: Container = request.app.state.container
    return container


def get_actor(
    container: Annotated[Container, Depends(get_container)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The user behind the API token; a missing or unknown token is 401."""
    if credentials is None or not credentials.credentials:
        msg = "send an API token: Authorization: Bearer <token>"
        raise Unauthenticated(msg)
    with container.unit(Actor("api", Role.ADMIN, Channel.API)) as uow:
        user = uow.users.by_token(credentials.credentials)
    if user is None:
        msg = "the API token is not valid"
        raise Unauthenticated(msg)
    return Actor(user.name, user.role, Channel.API, user.practitioner)


ContainerDep = Annotated[Container, Depends(get_container)]
ActorDep = Annotated[Actor, Depends(get_actor)]
