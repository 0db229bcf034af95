"""A test CDS Client: its own key pairs (generated per test run), a trusted-clients file, signed JWTs."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://ehr.test.invalid"
BASE = "http://testserver"


@dataclass
class SigningClient:
    """Signs CDS Hooks JWTs like an EHR would (ES384 by default, RS384 available)."""

    folder: Path
    ec_key: Any = field(default_factory=lambda: ec.generate_private_key(ec.SECP384R1()))
    rsa_key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwks(self) -> dict[str, Any]:
        """The client's public JWK Set."""
        ec_jwk = json.loads(ECAlgorithm.to_jwk(self.ec_key.public_key()))
        rsa_jwk = json.loads(RSAAlgorithm.to_jwk(self.rsa_key.public_key()))
        return {
            "keys": [
                {**ec_jwk, "kid": "ec-1", "alg": "ES384", "use": "sig"},
                {**rsa_jwk, "kid": "rsa-1", "alg": "RS384", "use": "sig"},
            ]
        }

    def public_pem(self) -> bytes:
        """The EC public key in PEM form (what a key-confusion attacker would use as an HMAC secret)."""
        from cryptography.hazmat.primitives import serialization

        return bytes(
            self.ec_key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def clients_file(self, *, jku: tuple[str, ...] = ()) -> Path:
        """A CNOPAD_CDS_CLIENTS file trusting this client."""
        jwks_path = self.folder / "ehr-jwks.json"
        jwks_path.write_text(json.dumps(self.jwks()), encoding="utf-8")
        path = self.folder / "cds-clients.yaml"
        lines = ["clients:", f"  - issuer: {ISSUER}", f"    jwks_file: {jwks_path}"]
        if jku:
            lines.append("    jku: [" + ", ".join(jku) + "]")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def token(self, path: str, *, alg: str = "ES384", kid: str | None = None, **overrides: Any) -> str:
        """A signed JWT for a call to BASE + path; ``overrides`` replace or (None) remove claims."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": BASE + path,
            "exp": now + 300,
            "iat": now,
            "jti": str(uuid.uuid4()),
        }
        headers: dict[str, Any] = {"typ": "JWT", "kid": kid or ("ec-1" if alg.startswith("ES") else "rsa-1")}
        for key, value in overrides.items():
            if key.startswith("header_"):
                if value is None:
                    headers.pop(key[7:], None)
                else:
                    headers[key[7:]] = value
            elif value is None:
                claims.pop(key, None)
            else:
                claims[key] = value
        key_obj = self.ec_key if alg.startswith("ES") else self.rsa_key
        return jwt.encode(claims, key_obj, algorithm=alg, headers=headers)

    def auth(self, path: str, **overrides: Any) -> dict[str, str]:
        """The Authorization header for a call to ``path``."""
        return {"Authorization": f"Bearer {self.token(path, **overrides)}"}
