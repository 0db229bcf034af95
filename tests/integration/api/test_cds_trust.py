"""CDS Hooks trust: every call carries a client-signed JWT; bad, expired, replayed or forged tokens get 401."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient as HttpClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.errors import ConfigError
from support.cds_client import BASE, SigningClient
from support.cds_conformance import check_discovery

DISCOVERY = "/cds-services"


@pytest.fixture
def ehr(tmp_path: Path) -> SigningClient:
    return SigningClient(tmp_path)


@pytest.fixture
def build(make_container: Callable[..., Container]) -> Callable[..., Container]:
    """Containers on SQLite and on PostgreSQL (the jti store and the audit of refusals live there)."""

    def container(**settings: object) -> Container:
        return make_container(base_url=BASE, **settings)

    return container


@pytest.fixture
def http(build: Callable[..., Container], ehr: SigningClient) -> Iterator[HttpClient]:
    with HttpClient(create_app(build(cds_clients=ehr.clients_file())), base_url=BASE) as client:
        yield client


def test_discovery_with_a_valid_es384_token_lists_the_three_services(http: HttpClient, ehr: SigningClient) -> None:
    response = http.get(DISCOVERY, headers=ehr.auth(DISCOVERY))
    body = response.json()
    assert response.status_code == 200
    assert check_discovery(body) == []
    assert {(s["id"], s["hook"]) for s in body["services"]} == {
        ("cnopad-patient-view", "patient-view"),
        ("cnopad-order-select", "order-select"),
        ("cnopad-order-sign", "order-sign"),
    }
    assert all(s["prefetch"]["patient"] == "Patient/{{context.patientId}}" for s in body["services"])


def test_an_rs384_token_is_accepted_too(http: HttpClient, ehr: SigningClient) -> None:
    assert http.get(DISCOVERY, headers=ehr.auth(DISCOVERY, alg="RS384")).status_code == 200


def _unsigned(claims: dict[str, object], headers: dict[str, object]) -> str:
    import base64

    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(headers)}.{part(claims)}."


def _hs256(claims: dict[str, object], secret: bytes) -> str:
    """The classic key-confusion forgery: HMAC-SHA256 keyed with the client's public key."""
    import base64
    import hashlib
    import hmac

    signing_input = _unsigned(claims, {"alg": "HS256", "typ": "JWT", "kid": "ec-1"})[:-1]
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _claims(path: str) -> dict[str, object]:
    now = int(time.time())
    return {"iss": "https://ehr.test.invalid", "aud": BASE + path, "exp": now + 300, "iat": now, "jti": "x-1"}


REFUSALS = [
    ("no token", lambda ehr: {}, "need Authorization"),
    ("not a JWT", lambda ehr: {"Authorization": "Bearer not.a.jwt"}, "not a well-formed JWT"),
    (
        "alg none",
        lambda ehr: {
            "Authorization": "Bearer " + _unsigned(_claims(DISCOVERY), {"alg": "none", "typ": "JWT", "kid": "ec-1"})
        },
        "algorithm 'none' is not allowed",
    ),
    (
        "HS256 with the public key as secret",
        lambda ehr: {"Authorization": "Bearer " + _hs256(_claims(DISCOVERY), ehr.public_pem())},
        "algorithm 'HS256' is not allowed",
    ),
    (
        "wrong aud",
        lambda ehr: ehr.auth(DISCOVERY, aud="https://elsewhere.example/cds-services"),
        "aud does not name this endpoint",
    ),
    (
        "aud of another service",
        lambda ehr: ehr.auth(DISCOVERY, aud=BASE + "/cds-services/cnopad-patient-view"),
        "aud does not name",
    ),
    ("expired", lambda ehr: ehr.auth(DISCOVERY, exp=int(time.time()) - 3600, iat=int(time.time()) - 3700), "expired"),
    (
        "iat in the future",
        lambda ehr: ehr.auth(DISCOVERY, iat=int(time.time()) + 3600, exp=int(time.time()) + 3700),
        "iat lies in the future",
    ),
    ("no jti", lambda ehr: ehr.auth(DISCOVERY, jti=None), "'jti' is missing"),
    ("no exp", lambda ehr: ehr.auth(DISCOVERY, exp=None), "'exp' is missing"),
    ("no kid", lambda ehr: ehr.auth(DISCOVERY, header_kid=None), "kid is missing"),
    ("unknown kid", lambda ehr: ehr.auth(DISCOVERY, kid="other-key"), "no key 'other-key'"),
    ("untrusted issuer", lambda ehr: ehr.auth(DISCOVERY, iss="https://evil.example"), "is not trusted"),
    (
        "jku not on the allowlist",
        lambda ehr: ehr.auth(DISCOVERY, header_jku="https://evil.example/jwks.json"),
        "not on the allowlist",
    ),
    ("too long-lived", lambda ehr: ehr.auth(DISCOVERY, exp=int(time.time()) + 7200), "lives longer than"),
]


@pytest.mark.parametrize(("case", "headers", "reason"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_bad_token_is_refused_with_401_and_a_reason(
    http: HttpClient, ehr: SigningClient, case: str, headers: object, reason: str
) -> None:
    response = http.get(DISCOVERY, headers=headers(ehr))  # type: ignore[operator]
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert reason in response.json()["detail"]


def test_a_token_signed_by_another_key_with_the_same_kid_is_refused(
    http: HttpClient, ehr: SigningClient, tmp_path: Path
) -> None:
    (tmp_path / "forger").mkdir()
    forger = SigningClient(tmp_path / "forger")
    response = http.get(DISCOVERY, headers=forger.auth(DISCOVERY))
    assert response.status_code == 401
    assert "InvalidSignatureError" in response.json()["detail"]


def test_a_replayed_token_is_refused(http: HttpClient, ehr: SigningClient) -> None:
    headers = ehr.auth(DISCOVERY)
    first = http.get(DISCOVERY, headers=headers)
    again = http.get(DISCOVERY, headers=headers)
    assert first.status_code == 200
    assert again.status_code == 401
    assert "replay" in again.json()["detail"]


def test_unsigned_calls_need_the_development_switch_and_loopback(
    tmp_path: Path, build: Callable[..., Container]
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    off = create_app(build(data_dir=tmp_path / "a"))
    on = create_app(build(data_dir=tmp_path / "b", cds_allow_unsigned=True))
    with HttpClient(off, base_url=BASE, client=("127.0.0.1", 50000)) as http:
        assert http.get(DISCOVERY).status_code == 401
    with HttpClient(on, base_url=BASE, client=("127.0.0.1", 50000)) as http:
        assert http.get(DISCOVERY).status_code == 200
    with HttpClient(on, base_url=BASE, client=("192.0.2.10", 50000)) as http:
        assert http.get(DISCOVERY).status_code == 401


def test_an_unusable_clients_file_stops_start_up(tmp_path: Path, build: Callable[..., Container]) -> None:
    bad = tmp_path / "clients.yaml"
    bad.write_text("clients:\n  - issuer: https://x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="CNOPAD_CDS_CLIENTS"):
        create_app(build(cds_clients=bad))


def test_cors_is_open_for_cds_hooks_and_closed_for_the_rest(http: HttpClient) -> None:
    preflight = {
        "Origin": "https://sandbox.cds-hooks.org",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    cds = http.options("/cds-services/cnopad-patient-view", headers=preflight)
    api = http.options("/api/patients", headers=preflight)
    assert cds.status_code == 200
    assert cds.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in api.headers


def test_a_ps384_token_for_a_key_declared_rs384_is_refused(http: HttpClient, ehr: SigningClient) -> None:
    response = http.get(DISCOVERY, headers=ehr.auth(DISCOVERY, alg="PS384", kid="rsa-1"))
    assert response.status_code == 401
    assert "declares alg 'RS384'" in response.json()["detail"]


def test_a_jti_is_used_up_by_a_call_that_fails_after_the_token_was_accepted(
    http: HttpClient, ehr: SigningClient
) -> None:
    path = "/cds-services/cnopad-patient-view"
    headers = ehr.auth(path)
    bad_body = http.post(path, json={"hook": "patient-view"}, headers=headers)
    unknown_service = http.post(
        "/cds-services/no-such-service", json={}, headers=ehr.auth("/cds-services/no-such-service")
    )
    replay = http.post(path, json={"hook": "patient-view"}, headers=headers)
    assert bad_body.status_code in (400, 422)
    assert unknown_service.status_code == 404
    assert replay.status_code == 401
    assert "replay" in replay.json()["detail"]


def test_a_forged_token_does_not_use_up_the_jti_of_the_genuine_one(
    http: HttpClient, ehr: SigningClient, tmp_path: Path
) -> None:
    (tmp_path / "forger").mkdir()
    forger = SigningClient(tmp_path / "forger")
    forged = http.get(DISCOVERY, headers=forger.auth(DISCOVERY, jti="victim-jti-1"))
    genuine = http.get(DISCOVERY, headers=ehr.auth(DISCOVERY, jti="victim-jti-1"))
    assert forged.status_code == 401
    assert genuine.status_code == 200


class _KeyServer:
    """The EHR's JWK Set host, in process: counts requests and answers with the keys or an error."""

    def __init__(self, jwks: dict[str, object], *, status: int = 200) -> None:
        self.jwks = jwks
        self.status = status
        self.requests: list[str] = []

    async def __call__(self, scope: dict[str, object], receive: object, send: object) -> None:
        assert scope["type"] == "http"
        self.requests.append(str(scope["path"]))
        body = json.dumps(self.jwks).encode() if self.status == 200 else b"unavailable"
        await send({"type": "http.response.start", "status": self.status, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": body})  # type: ignore[operator]


JKU = "https://ehr.test.invalid/.well-known/jwks.json"


def _jku_app(build: Callable[..., Container], ehr: SigningClient, keys: _KeyServer, **settings: object) -> object:
    import httpx

    app = create_app(build(cds_clients=ehr.clients_file(jku=(JKU,)), **settings))
    app.state.jwt_verifier.transport = httpx.ASGITransport(app=keys)  # type: ignore[arg-type]
    return app


def test_a_jwks_from_an_allowlisted_jku_is_fetched_once_and_used(
    build: Callable[..., Container], ehr: SigningClient
) -> None:
    keys = _KeyServer(ehr.jwks())
    with HttpClient(_jku_app(build, ehr, keys), base_url=BASE) as http:  # type: ignore[arg-type]
        first = http.get(DISCOVERY, headers=ehr.auth(DISCOVERY, header_jku=JKU))
        second = http.get(DISCOVERY, headers=ehr.auth(DISCOVERY, header_jku=JKU))
    assert (first.status_code, second.status_code) == (200, 200)
    assert keys.requests == ["/.well-known/jwks.json"]


NO_FETCH = [
    ("untrusted issuer", {"iss": "https://evil.example"}),
    ("expired", {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3700}),
    ("wrong aud", {"aud": "https://elsewhere.example/cds-services"}),
    ("algorithm none", {"alg_none": True}),
]


@pytest.mark.parametrize(("case", "change"), NO_FETCH, ids=[c[0] for c in NO_FETCH])
def test_a_token_refused_on_its_face_causes_no_key_fetch(
    build: Callable[..., Container], ehr: SigningClient, case: str, change: dict[str, object]
) -> None:
    keys = _KeyServer(ehr.jwks())
    if change.get("alg_none"):
        claims = {**_claims(DISCOVERY), "jti": "n-1"}
        headers = {
            "Authorization": "Bearer " + _unsigned(claims, {"alg": "none", "typ": "JWT", "kid": "ec-1", "jku": JKU})
        }
    else:
        headers = ehr.auth(DISCOVERY, header_jku=JKU, **change)
    with HttpClient(_jku_app(build, ehr, keys), base_url=BASE) as http:  # type: ignore[arg-type]
        response = http.get(DISCOVERY, headers=headers)
    assert response.status_code == 401
    assert keys.requests == []


def test_a_failing_key_host_is_not_asked_again_within_the_retry_window(
    build: Callable[..., Container], ehr: SigningClient
) -> None:
    keys = _KeyServer(ehr.jwks(), status=503)
    with HttpClient(_jku_app(build, ehr, keys, cds_jwks_retry_after=60), base_url=BASE) as http:  # type: ignore[arg-type]
        first = http.get(DISCOVERY, headers=ehr.auth(DISCOVERY, header_jku=JKU))
        keys.status = 200  # the host recovers, but cnopad waits out the window before asking again
        second = http.get(DISCOVERY, headers=ehr.auth(DISCOVERY, header_jku=JKU))
    assert (first.status_code, second.status_code) == (401, 401)
    assert "could not be read" in first.json()["detail"]
    assert "not asked again" in second.json()["detail"]
    assert keys.requests == ["/.well-known/jwks.json"]
