"""CDS Hooks 2.0 routes: ``GET /cds-services``, ``POST /cds-services/{id}``, ``POST /cds-services/{id}/feedback``.

Every call is authenticated with a client-signed JWT (``trust.py``); the development switch
``CNOPAD_CDS_ALLOW_UNSIGNED`` accepts unsigned calls from 127.0.0.1 only. Errors are problem details
(401 authentication, 400/422 bad request, 404 unknown service, 412 FHIR data unavailable).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from cnopad.api.cds_hooks import models
from cnopad.api.cds_hooks.cards import to_cds_card
from cnopad.api.cds_hooks.definitions import SERVICES, discovery
from cnopad.api.cds_hooks.trust import JwtVerifier, VerifiedCaller
from cnopad.api.deps import ContainerDep
from cnopad.api.problems import problem_responses
from cnopad.bootstrap import Container
from cnopad.domain import input_rules
from cnopad.domain.access import Actor, Channel, Role
from cnopad.errors import InputError, NotFoundError, UnauthenticatedError
from cnopad.fhir.client import FhirServerClient
from cnopad.services import cds as cds_svc
from cnopad.services import feedback as feedback_svc
from cnopad.services.not_understood import EXTENSION as NOT_UNDERSTOOD
from cnopad.services.not_understood import extension_items
from cnopad.store import UnitOfWork

router = APIRouter(
    prefix="/cds-services", tags=["cds-hooks"], responses=problem_responses(400, 401, 404, 412, 413, 422)
)
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
UNSIGNED_ISSUER = "unsigned-development-client"


async def caller(request: Request, container: ContainerDep) -> VerifiedCaller:
    """The verified CDS Client behind the request (JWT), or the loopback development caller.

    The token is checked without blocking the event loop (a JWK Set fetch awaits; see ``trust.py``). Once it is
    accepted its ``jti`` is used up at once, in its own committed transaction, before the request is handled:
    whatever happens next (a bad body, an unknown service, a FHIR server that fails), the token cannot be
    played again. Tokens refused before their signature is verified use up nothing, so a forger cannot burn
    the jti of a genuine token (docs/security.md, "CDS Hooks trust"). The hook call itself uses
    ``hook_caller``: the same guarantee, with the jti written in the call's own transaction.
    """
    verified = await hook_caller(request, container)
    if verified.jti:
        await run_in_threadpool(_use_up_jti, container, verified)
    return verified


async def hook_caller(request: Request, container: ContainerDep) -> VerifiedCaller:
    """The verified caller of a hook call, its jti not yet used up: ``call_service`` records it in the transaction
    that audits the call (one transaction per call instead of two), and on every failure uses it up on its own.
    A jti this worker has already seen is refused at once, before any work."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not token or scheme.lower() != "bearer":
        host = request.client.host if request.client else ""
        if container.settings.cds_allow_unsigned and host in _LOOPBACK:
            return VerifiedCaller(UNSIGNED_ISSUER, "", 0)
        msg = "CDS Hooks calls need Authorization: Bearer <JWT signed by the CDS Client>"
        raise UnauthenticatedError(msg)
    verifier: JwtVerifier = request.app.state.jwt_verifier
    verified = await verifier.verify(token, container.settings.public_url + request.url.path)
    if verifier.recent.seen(verified):
        raise UnauthenticatedError(_REPLAY)
    return verified


_REPLAY = "CDS Hooks JWT refused: jti was used before (replay)"


def _use_up_jti(container: Container, verified: VerifiedCaller) -> None:
    """Record the token's jti (committed now); a jti seen before is a replay and refused."""
    with container.unit(Actor(verified.issuer[:200], Role.CDS_CLIENT, Channel.CDS)) as uow:
        _claim_jti(uow, verified)
        uow.commit()


def _claim_jti(uow: UnitOfWork, verified: VerifiedCaller) -> None:
    """Record the jti in ``uow``'s transaction; a jti already in the table is a replay, refused."""
    if not uow.cds.first_use_of_jwt(verified.issuer, verified.jti, _utc(verified.expires_at)):
        raise UnauthenticatedError(_REPLAY)


def _use_up_after_failure(container: Container, verified: VerifiedCaller) -> None:
    """A hook call failed after its token was accepted: use the jti up now (already used: nothing to do)."""
    if not verified.jti:
        return
    with contextlib.suppress(UnauthenticatedError):
        _use_up_jti(container, verified)


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


CallerDep = Annotated[VerifiedCaller, Depends(caller)]
HookCallerDep = Annotated[VerifiedCaller, Depends(hook_caller)]


@router.get("", operation_id="cdsDiscovery", summary="CDS Hooks discovery")
def discover(container: ContainerDep, verified: CallerDep) -> JSONResponse:
    """The CDS Services cnopad offers and the data each wants prefetched."""
    with container.unit(Actor(verified.issuer[:200], Role.CDS_CLIENT, Channel.CDS)) as uow:
        uow.audit.append(uow.actor, "cds-discovery", patient_id=None, purpose="decision support", detail="")
        uow.commit()
    return JSONResponse(discovery().dump())


@router.post("/{service_id}", operation_id="cdsCall", summary="Call a CDS Service")
async def call_service(
    service_id: str,
    request: Request,
    container: ContainerDep,
    verified: HookCallerDep,
    body: Annotated[dict[str, Any], Body(description="A CDS Hooks request")],
) -> JSONResponse:
    """Assess the patient in context (and the draft orders of order hooks) and return cards."""
    try:
        return await _answer(service_id, request, container, verified, body)
    except BaseException:
        # whatever failed (a bad body, an unknown service, a FHIR server, a replay found at commit), the token is
        # used up and cannot be played again; done here on the loop, as this path is rare and must also run when
        # the request was cancelled
        _use_up_after_failure(container, verified)
        raise


async def _answer(
    service_id: str, request: Request, container: Container, verified: VerifiedCaller, body: dict[str, Any]
) -> JSONResponse:
    """The hook call (``call_service``): assess the patient in context and return cards.

    With complete prefetch the work is CPU only and runs on the event loop (no thread-pool hop per call);
    what must come from the client's FHIR server is fetched asynchronously (all queries at once), and the
    reading and assessing of that data then runs in a worker thread. What cnopad could not read is named in
    one info card and in the response extension ``nl.cnopad.not-understood``.
    """
    service = SERVICES.get(service_id)
    if service is None:
        msg = f"no CDS Service {service_id!r}"
        raise NotFoundError(msg)
    # invalid Unicode or a control character in the call itself (a userId, the context, draft orders) is refused
    # naming it, before it reaches the audit log's hash; prefetch goes to the lenient reader, which refuses a bad
    # Patient and sets any other bad resource aside, as it does with data fetched from the fhirServer
    clean = input_rules.json_bytes_clean(await request.body())  # the bytes FastAPI parsed (kept by the Request)
    if not clean:
        input_rules.check_json_text({k: v for k, v in body.items() if k != "prefetch"}, "")
    hook_request = models.HookRequest.model_validate(body)
    if hook_request.hook != service.hook:
        where = "hook"
        raise InputError(where, f"service {service_id} answers the {service.hook} hook, not {hook_request.hook}")
    lang = "en" if request.headers.get("accept-language", "").lower().startswith("en") else "nl"
    call = cds_svc.HookCall(
        service_id=service_id,
        hook=hook_request.hook,
        context=hook_request.context,
        prefetch=hook_request.prefetch,
        fhir_server=hook_request.fhirServer,
        access_token=hook_request.fhirAuthorization.access_token if hook_request.fhirAuthorization else None,
        lang=lang,
        text_checked=clean,
    )
    timeout = container.settings.fhir_timeout
    transport = getattr(request.app.state, "fhir_transport", None)

    def client_factory(base: str, token: str | None) -> FhirServerClient:
        return FhirServerClient(base, token, timeout=timeout, transport=transport)

    data = await cds_svc.gather(call, client_factory)

    def run() -> cds_svc.HookResult:
        result = cds_svc.evaluate(call, data, kb=container.knowledge, today=container.today())
        with container.unit(cds_svc.audit_actor(verified.issuer, call.context)) as uow:
            # the jti is used up in the same transaction that audits the call: a replay that slipped past this
            # worker's memory (another worker took the first call) is refused here, and nothing is recorded for it
            if verified.jti:
                _claim_jti(uow, verified)
            cds_svc.record_call(uow, call, result)
        return result

    # data from the FHIR server can be large: read and assess it off the event loop
    result = run() if data.requests == 0 else await run_in_threadpool(run)
    patient_url = f"{container.settings.public_url}/patients/{result.patient_id}"
    response = models.HookResponse(
        cards=[to_cds_card(c, patient_url=patient_url, lang=lang) for c in result.cards],
        extension={NOT_UNDERSTOOD: extension_items(result.not_understood)} if result.not_understood else None,
    )
    return JSONResponse(response.dump())


@router.post("/{service_id}/feedback", operation_id="cdsFeedback", summary="Feedback on cards")
def feedback(
    service_id: str,
    container: ContainerDep,
    verified: CallerDep,
    body: Annotated[dict[str, Any], Body(description="A CDS Hooks feedback request")],
) -> JSONResponse:
    """Store accepted and overridden outcomes (with override reasons) for the feedback report."""
    if service_id not in SERVICES:
        msg = f"no CDS Service {service_id!r}"
        raise NotFoundError(msg)
    input_rules.check_json_text(body, "")
    parsed = models.FeedbackRequest.model_validate(body)
    outcomes = [
        feedback_svc.FeedbackOutcome(
            card=item.card,
            outcome=item.outcome,
            at=item.outcomeTimestamp,
            reason=(
                item.overrideReason.reason.system,
                item.overrideReason.reason.code,
                item.overrideReason.reason.display,
            )
            if item.overrideReason and item.overrideReason.reason
            else None,
            comment=item.overrideReason.userComment if item.overrideReason else None,
            accepted=tuple(s.id for s in item.acceptedSuggestions or ()),
        )
        for item in parsed.feedback
    ]
    actor = Actor(verified.issuer[:200], Role.CDS_CLIENT, Channel.CDS)
    with container.unit(actor) as uow:
        stored = feedback_svc.record_feedback(uow, service_id, verified.issuer, outcomes)
    return JSONResponse({"received": stored}, status_code=200)
