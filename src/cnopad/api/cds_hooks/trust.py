"""Trusting CDS Clients: every call carries a JWT signed with the client's private key (CDS Hooks 2.0).

Checks, in order, and all of them before any network I/O: a well-formed JWT; an asymmetric algorithm (never
``none`` or HMAC); ``typ`` JWT and a ``kid``; an issuer on the allowlist; a ``jku`` (when given) on that
issuer's allowlist; the claims as written (``aud`` equal to the endpoint URL called, ``exp`` and ``iat``
current within a small leeway, a lifetime of at most an hour, a ``jti``), so a token refused on its face never
makes cnopad fetch anything. Only then the key: found by ``kid`` in the issuer's JWK Set (a file, or an
allowlisted URL fetched without blocking the event loop, with a time-out, one fetch per URL at a time, a
bounded number overall, and a failed URL not asked again for a while); the key's declared ``alg`` (when it
declares one) must be the token's; then the signature and the claims again, now verified. The replay check
(``jti``) is the caller's, against the store. Built on PyJWT; no cryptography is written here.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import anyio
import httpx
import jwt
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cnopad.errors import ConfigError, UnauthenticatedError

#: signature algorithms accepted: asymmetric only (CDS Hooks forbids none and symmetric ones)
ASYMMETRIC = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA")
#: a JWT may live at most this long after it was issued (a product choice that bounds the replay cache)
MAX_LIFETIME_SECONDS = 3600
#: a fetched JWK Set is used this long before it is fetched again (an unknown kid does not refetch it)
JWKS_CACHE_SECONDS = 600
#: at most this many JWK Set fetches run at once in a worker process, whatever the number of URLs
MAX_CONCURRENT_FETCHES = 4
#: a JWK Set larger than this is refused (a real one holds a few keys: a few kilobytes)
MAX_JWKS_BYTES = 256_000
#: public key objects kept per worker (built from their JWK once); the set is emptied when it grows past this
MAX_CACHED_KEYS = 256
_SETTLED_SECONDS = 2.0


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


class RecentJtis:
    """The jtis this worker accepted lately, so a replay to the same worker is refused before any work. Bounded;
    the database's replay table stays the authority (it sees every worker and every restart)."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self.ids: dict[tuple[str, str], None] = {}

    def seen(self, verified: VerifiedCaller) -> bool:
        key = (verified.issuer, verified.jti)
        if key in self.ids:
            return True
        if len(self.ids) >= self.size:
            del self.ids[next(iter(self.ids))]  # the oldest (dicts keep insertion order)
        self.ids[key] = None
        return False


class JwtVerifier:
    """Verifies CDS Hooks JWTs against the trusted clients; fetches and caches their JWK Sets."""

    def __init__(
        self,
        clients: dict[str, TrustedClient],
        *,
        leeway: int = 30,
        clock: Callable[[], float] = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
        fetch_timeout: float = 3.0,
        retry_after: float = 60.0,
    ) -> None:
        self.clients = clients
        self.leeway = leeway
        self.clock = clock
        #: the HTTP transport for JWK Set fetches (tests put an in-process key server here)
        self.transport = transport
        self.fetch_timeout = fetch_timeout
        self.retry_after = retry_after
        self._jwks_cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self._file_cache: dict[Path, tuple[tuple[int, int, int], dict[str, Any]]] = {}
        self._keys: dict[tuple[str, str], Any] = {}
        #: jtis this worker accepted lately (the caller checks them; see ``RecentJtis``)
        self.recent = RecentJtis()
        self._failed_until: dict[str, float] = {}
        # keys are allowlisted URLs only (checked before a lock is made), so these stay small
        self._url_locks: dict[str, anyio.Lock] = {}
        self._fetch_slots = anyio.Semaphore(MAX_CONCURRENT_FETCHES)
        # made once, at start-up (when a client has key URLs): loading the CA bundle takes tens to hundreds of
        # milliseconds, which a new client per fetch would spend on the event loop
        urls = any(c.jwks_url or c.jku for c in clients.values())
        self._tls: ssl.SSLContext | bool = httpx.create_ssl_context() if urls else True

    async def verify(self, token: str, audience: str) -> VerifiedCaller:
        """Check a token for a call to ``audience`` (the endpoint URL); UnauthenticatedError when it fails."""
        alg, kid, client, jku, unverified = self._check_header(token)
        self._check_claims(unverified, audience)  # on its face, before any fetch
        jwks = await self._jwks(client, jku)
        key = self._key(jwks, client, kid, alg)
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
        self._check_claims(claims, audience)  # the same rules, now on verified claims
        tenant = claims.get("tenant")
        return VerifiedCaller(
            client.issuer, claims["jti"], int(claims["exp"]), tenant if isinstance(tenant, str) else None
        )

    def _check_header(self, token: str) -> tuple[str, str, TrustedClient, object, dict[str, Any]]:
        """Algorithm, key id, trusted client, jku and the unverified claims (checked before any key use)."""
        try:
            # header and claims from one parse of the token (the verifying decode later parses it once more)
            complete = jwt.decode_complete(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            _refuse("not a well-formed JWT", exc)
        header, unverified = complete["header"], complete["payload"]
        if not isinstance(unverified, dict):
            _refuse("not a well-formed JWT (the claims are not a JSON object)")
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
        jku = header.get("jku")
        if jku is not None and (not isinstance(jku, str) or jku not in client.jku):
            _refuse(f"jku {jku!r} is not on the allowlist of {client.issuer}")
        return str(alg), str(kid), client, jku, unverified

    def _check_claims(self, claims: dict[str, Any], audience: str) -> None:
        """aud, exp, iat, lifetime and jti: cheap checks, so a token refused on its face costs no fetch."""
        for name in ("aud", "exp", "iat", "jti"):
            if name not in claims:
                _refuse(f"claim {name!r} is missing")
        aud = claims["aud"]
        if not (aud == audience or (isinstance(aud, list) and audience in aud)):
            _refuse(f"aud does not name this endpoint ({audience})")
        exp, iat = claims["exp"], claims["iat"]
        if not _is_number(exp) or not _is_number(iat):
            _refuse("exp and iat must be numbers (seconds since the epoch)")
        now = self.clock()
        if float(exp) <= now - self.leeway:
            _refuse("the token has expired")
        if float(iat) > now + self.leeway:
            _refuse("iat lies in the future")
        if float(exp) - float(iat) > MAX_LIFETIME_SECONDS:
            _refuse(f"the token lives longer than {MAX_LIFETIME_SECONDS} seconds")
        if not isinstance(claims["jti"], str) or not claims["jti"]:
            _refuse("jti must be a non-empty string")

    async def _jwks(self, client: TrustedClient, jku: object) -> dict[str, Any]:
        """The issuer's JWK Set: from the allowlisted jku, the file, or the configured URL."""
        if isinstance(jku, str):
            return await self._fetch(jku)
        if client.jwks_file is not None:
            return self._jwks_from_file(client.jwks_file)
        return await self._fetch(client.jwks_url or client.jku[0])

    def _jwks_from_file(self, path: Path) -> dict[str, Any]:
        """The JWK Set in ``path``, read again only when the file changed (a rotated key is seen at once)."""
        try:
            stat = path.stat()
        except OSError as exc:
            msg = f"CNOPAD_CDS_CLIENTS: cannot read the JWK Set {path}: {exc}"
            raise ConfigError(msg) from exc
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        cached = self._file_cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        jwks = _read_jwks_file(path)
        # file times are coarse (a clock tick): a file changed in the last seconds could change again under the
        # same stamp, so it is only kept once it has been left alone for a while (as git does with its index)
        if time.time() - stat.st_mtime > _SETTLED_SECONDS:
            self._file_cache[path] = (stamp, jwks)
        return jwks

    def _key(self, jwks: dict[str, Any], client: TrustedClient, kid: str, alg: str) -> Any:
        """The public key ``kid`` of the set, usable with ``alg`` (the key's own ``alg`` and ``use`` respected)."""
        for candidate in jwks.get("keys") or []:
            if isinstance(candidate, dict) and candidate.get("kid") == kid:
                declared = candidate.get("alg")
                if declared is not None and declared != alg:
                    _refuse(f"key {kid!r} declares alg {declared!r}; the token is signed with {alg}")
                use = candidate.get("use")
                if use is not None and use != "sig":
                    _refuse(f"key {kid!r} is not a signing key (use {use!r})")
                # building a key object from its JWK costs more than checking a signature with it: keep it, keyed
                # by the JWK's exact content and the algorithm (a changed key is a new entry)
                memo = (alg, json.dumps(candidate, sort_keys=True))
                key = self._keys.get(memo)
                if key is None:
                    try:
                        key = jwt.PyJWK(candidate, algorithm=alg).key
                    except jwt.PyJWTError as exc:
                        _refuse(f"key {kid!r} does not fit algorithm {alg}", exc)
                    if len(self._keys) >= MAX_CACHED_KEYS:
                        self._keys.clear()
                    self._keys[memo] = key
                return key
        _refuse(f"no key {kid!r} in the JWK Set of {client.issuer}")

    async def _fetch(self, url: str) -> dict[str, Any]:
        """The JWK Set at ``url``: cached, or fetched once however many calls ask at the same time."""
        cached = self._cached(url)
        if cached is not None:
            return cached
        lock = self._url_locks.setdefault(url, anyio.Lock())
        acquired = False
        # waiting for another call's fetch of the same URL is bounded too (that fetch has the same time-out)
        with anyio.move_on_after(self.fetch_timeout + 1.0):
            await lock.acquire()
            acquired = True
        if not acquired:
            _refuse(f"the JWK Set at {url} could not be read in time")
        try:
            cached = self._cached(url)  # fetched, or failed, while this call waited
            if cached is not None:
                return cached
            async with self._fetch_slots:
                return await self._download(url)
        finally:
            lock.release()

    def _cached(self, url: str) -> dict[str, Any] | None:
        """A fresh cached JWK Set; refuses at once while the URL is in its retry window after a failure."""
        now = self.clock()
        cached = self._jwks_cache.get(url)
        if cached is not None and cached[0] > now:
            return cached[1]
        failed_until = self._failed_until.get(url)
        if failed_until is not None and failed_until > now:
            _refuse(f"the JWK Set at {url} failed recently; it is not asked again for {failed_until - now:.0f} s")
        return None

    async def _download(self, url: str) -> dict[str, Any]:
        """GET the JWK Set within the time-out; a failure is remembered for ``retry_after`` seconds."""
        problem = ""
        data: object = None
        try:
            with anyio.fail_after(self.fetch_timeout):
                async with (
                    httpx.AsyncClient(
                        timeout=self.fetch_timeout, transport=self.transport, verify=self._tls, follow_redirects=False
                    ) as http,
                    http.stream("GET", url, headers={"Accept": "application/json"}) as response,
                ):
                    response.raise_for_status()
                    body = b""
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_JWKS_BYTES:
                            problem = f"larger than {MAX_JWKS_BYTES} bytes"
                            break
            if not problem:
                data = json.loads(body)
                if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
                    problem = "no JWK Set"
        except TimeoutError:
            problem = f"no answer within {self.fetch_timeout:g} s"
        except httpx.HTTPStatusError as exc:
            problem = f"HTTP {exc.response.status_code}"
        except (httpx.HTTPError, ValueError) as exc:
            problem = type(exc).__name__
        if problem or not isinstance(data, dict):
            self._failed_until[url] = self.clock() + self.retry_after
            _refuse(
                f"the JWK Set at {url} could not be read ({problem}); it is not asked again for {self.retry_after:g} s"
            )
        self._failed_until.pop(url, None)
        self._jwks_cache[url] = (self.clock() + JWKS_CACHE_SECONDS, data)
        return data


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
