"""Trusting CDS Clients: every call carries a JWT signed with the client's private key (CDS Hooks 2.0).

Checks, in order: a well-formed JWT; an asymmetric algorithm (never ``none`` or HMAC); ``typ`` JWT and a
``kid``; an issuer on the allowlist; a ``jku`` (when given) on that issuer's allowlist; the key found by
``kid`` in the issuer's JWK Set (a file or an allowlisted URL); the signature; ``aud`` equal to the
endpoint URL called; ``exp`` and ``iat`` present and current within a small leeway; a ``jti`` (replay is
checked by the caller against the store). Built on PyJWT; no cryptography is written here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
import jwt
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cnopad.errors import ConfigError, UnauthenticatedError

#: signature algorithms accepted: asymmetric only (CDS Hooks forbids none and symmetric ones)
ASYMMETRIC = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA")
#: a JWT may live at most this long after it was issued (a product choice that bounds the replay cache)
MAX_LIFETIME_SECONDS = 3600
JWKS_CACHE_SECONDS = 600


class TrustedClient(BaseModel):
    """One CDS Client allowed to call: its issuer and where its public keys are."""

    model_config = ConfigDict(extra="forbid")
    issuer: str = Field(min_length=1)
    jwks_file: Path | None = None
    jwks_url: str | None = None
    jku: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _keys_somewhere(self) -> TrustedClient:
        if self.jwks_file is None and self.jwks_url is None and not self.jku:
            msg = "give jwks_file, jwks_url or at least one allowed jku URL"
            raise ValueError(msg)
        return self


class ClientsFile(BaseModel):
    """The trusted-clients file (``CNOPAD_CDS_CLIENTS``)."""

    model_config = ConfigDict(extra="forbid")
    clients: tuple[TrustedClient, ...]


def load_clients(path: Path | None) -> dict[str, TrustedClient]:
    """Read the trusted-clients file; an unusable file is a ConfigError at start-up."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = ClientsFile.model_validate(data)
    except OSError as exc:
        msg = f"CNOPAD_CDS_CLIENTS: cannot read {path}: {exc.strerror or exc}"
        raise ConfigError(msg) from exc
    except (yaml.YAMLError, ValidationError) as exc:
        msg = f"CNOPAD_CDS_CLIENTS: {path} is not a valid clients file: {exc}"
        raise ConfigError(msg) from exc
    clients = {}
    for client in parsed.clients:
        if client.jwks_file is not None:
            _read_jwks_file(client.jwks_file)  # fail at start-up, not at the first call
        clients[client.issuer] = client
    return clients


def _read_jwks_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"CNOPAD_CDS_CLIENTS: cannot read the JWK Set {path}: {exc}"
        raise ConfigError(msg) from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        msg = f"CNOPAD_CDS_CLIENTS: {path} is not a JWK Set (no 'keys' list)"
        raise ConfigError(msg)
    return data


@dataclass(frozen=True, slots=True)
class VerifiedCaller:
    """Who called, as proven by the JWT."""

    issuer: str
    jti: str
    expires_at: int
    tenant: str | None = None


def _refuse(reason: str, cause: BaseException | None = None) -> NoReturn:
    """Stop the request: the JWT is not acceptable, and why."""
    msg = f"CDS Hooks JWT refused: {reason}"
    raise UnauthenticatedError(msg) from cause


class JwtVerifier:
    """Verifies CDS Hooks JWTs against the trusted clients."""

    def __init__(
        self,
        clients: dict[str, TrustedClient],
        *,
        leeway: int = 30,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.clients = clients
        self.leeway = leeway
        self.clock = clock
        self._transport = transport
        self._jwks_cache: dict[str, tuple[float, dict[str, Any]]] = {}

    def verify(self, token: str, audience: str) -> VerifiedCaller:
        """Check a token for a call to ``audience`` (the endpoint URL); UnauthenticatedError when it fails."""
        alg, kid, client, jku = self._check_header(token)
        key = self._key(client, jku, kid, alg)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=audience,
                issuer=client.issuer,
                leeway=self.leeway,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.InvalidAudienceError as exc:
            _refuse(f"aud does not name this endpoint ({audience})", exc)
        except jwt.ExpiredSignatureError as exc:
            _refuse("the token has expired", exc)
        except jwt.ImmatureSignatureError as exc:
            _refuse("iat lies in the future", exc)
        except jwt.MissingRequiredClaimError as exc:
            _refuse(f"claim {exc.claim!r} is missing", exc)
        except jwt.PyJWTError as exc:
            _refuse(f"{type(exc).__name__}: {exc}", exc)
        if float(claims["iat"]) > self.clock() + self.leeway:
            _refuse("iat lies in the future")
        if float(claims["exp"]) - float(claims["iat"]) > MAX_LIFETIME_SECONDS:
            _refuse(f"the token lives longer than {MAX_LIFETIME_SECONDS} seconds")
        if not isinstance(claims["jti"], str) or not claims["jti"]:
            _refuse("jti must be a non-empty string")
        tenant = claims.get("tenant")
        return VerifiedCaller(
            client.issuer, claims["jti"], int(claims["exp"]), tenant if isinstance(tenant, str) else None
        )

    def _check_header(self, token: str) -> tuple[str, str, TrustedClient, object]:
        """Algorithm, key id, trusted client and jku from the unverified token (checked before any key use)."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            _refuse("not a well-formed JWT", exc)
        alg = header.get("alg")
        if alg not in ASYMMETRIC:
            _refuse(f"algorithm {alg!r} is not allowed (asymmetric signatures only)")
        if str(header.get("typ", "")).upper() != "JWT":
            _refuse("header typ must be JWT")
        kid = header.get("kid")
        if not kid:
            _refuse("header kid is missing")
        issuer = unverified.get("iss")
        client = self.clients.get(issuer) if isinstance(issuer, str) else None
        if client is None:
            _refuse(f"issuer {issuer!r} is not trusted")
        return str(alg), str(kid), client, header.get("jku")

    def _key(self, client: TrustedClient, jku: object, kid: str, alg: str) -> Any:
        if jku is not None:
            if not isinstance(jku, str) or jku not in client.jku:
                _refuse(f"jku {jku!r} is not on the allowlist of {client.issuer}")
            jwks = self._fetch(jku)
        elif client.jwks_file is not None:
            jwks = _read_jwks_file(client.jwks_file)
        elif client.jwks_url is not None:
            jwks = self._fetch(client.jwks_url)
        else:
            jwks = self._fetch(client.jku[0])
        for candidate in jwks.get("keys") or []:
            if isinstance(candidate, dict) and candidate.get("kid") == kid:
                try:
                    pyjwk = jwt.PyJWK(candidate, algorithm=alg)
                except jwt.PyJWTError as exc:
                    _refuse(f"key {kid!r} does not fit algorithm {alg}", exc)
                return pyjwk.key
        _refuse(f"no key {kid!r} in the JWK Set of {client.issuer}")

    def _fetch(self, url: str) -> dict[str, Any]:
        cached = self._jwks_cache.get(url)
        if cached is not None and cached[0] > self.clock():
            return cached[1]
        try:
            with httpx.Client(timeout=3.0, transport=self._transport, follow_redirects=False) as http:
                response = http.get(url)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            _refuse(f"the JWK Set at {url} could not be read", exc)
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            _refuse(f"{url} holds no JWK Set")
        self._jwks_cache[url] = (self.clock() + JWKS_CACHE_SECONDS, data)
        return data
