"""Typed settings, one place (environment variables with the prefix ``CNOPAD_``).

Every setting has a help text; README.md documents them all (a test checks this). Settings that would
be unsafe are refused at start-up with a ConfigError.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cnopad.errors import ConfigError


def default_data_dir() -> Path:
    """The per-user data directory (platformdirs), e.g. ~/.local/share/cnopad."""
    return Path(user_data_dir("cnopad", appauthor=False))


class Settings(BaseSettings):
    """cnopad's settings; see README.md, section Settings."""

    model_config = SettingsConfigDict(env_prefix="CNOPAD_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder for the embedded SQLite database and local secrets.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; default: SQLite file cnopad.db in the data folder. "
        "Use postgresql://user@host:5432/db for multi-user deployments.",
    )
    host: str = Field(default="127.0.0.1", description="Address the web service listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the web service listens on.")
    base_url: str = Field(
        default="",
        description="Public URL of the web app (used in CDS Hooks card links); default http://HOST:PORT.",
    )
    user: str | None = Field(
        default=None, description="Name recorded in the audit log for command-line use; default: the OS user."
    )
    max_body_bytes: int = Field(
        default=10_000_000,
        ge=1_000,
        description="Largest accepted request body in bytes (FHIR bundles included).",
    )
    cds_clients: Path | None = Field(
        default=None,
        description="YAML file of trusted CDS Hooks clients: issuer, JWKS (file or URL) and allowed jku URLs.",
    )
    cds_allow_unsigned: bool = Field(
        default=False,
        description="Development switch: accept unsigned CDS Hooks calls, from 127.0.0.1 only (a warning at start-up).",
    )
    cds_jwt_leeway: int = Field(
        default=30, ge=0, le=300, description="Clock skew in seconds allowed on CDS Hooks JWT exp/iat."
    )
    cds_jwks_timeout: float = Field(
        default=3.0,
        gt=0,
        le=30,
        description="Seconds to wait for a CDS Client's JWK Set URL (jku or jwks_url) before the call is refused.",
    )
    cds_jwks_retry_after: float = Field(
        default=60.0,
        ge=0,
        le=3600,
        description="Seconds a JWK Set URL that failed or timed out is not asked again (calls naming it get 401).",
    )
    fhir_timeout: float = Field(default=5.0, gt=0, le=60, description="Seconds to wait for a CDS Client's FHIR server.")
    hsts_seconds: int = Field(
        default=0,
        ge=0,
        le=63_072_000,
        description="Strict-Transport-Security max-age in seconds on every response (0 = off); set it only when "
        "cnopad is reached over HTTPS only.",
    )
    audit_key_file: Path | None = Field(
        default=None,
        description="File of the audit log's HMAC keys ('<id> <hex>' per line; the last signs new rows); "
        "default audit.key in the data folder, created with mode 0600 at first start. Back it up apart "
        "from the database.",
    )
    audit_checkpoint_file: Path | None = Field(
        default=None,
        description="Append-only file of signed checkpoints of the audit log's head; default "
        "audit-checkpoints.log in the data folder. Put it on storage apart from the database.",
    )
    audit_checkpoint_interval: float = Field(
        default=1.0,
        ge=0,
        le=3600,
        description="Seconds between two checkpoints written by one process (0: after every commit that "
        "wrote to the audit log).",
    )
    audit_syslog: str | None = Field(
        default=None,
        description="Also send every checkpoint to syslog (facility authpriv): a Unix socket path such as "
        "/dev/log, or host:port (UDP). Off by default.",
    )
    emergency_access_hours: int = Field(
        default=4,
        ge=1,
        le=24,
        description="Hours an emergency access (break-glass) to a record outside the user's care team lasts.",
    )
    log_level: str = Field(
        default="info",
        description="Application log level (debug, info, warning, error). Logs never contain patient data.",
    )

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.lower() not in {"debug", "info", "warning", "error"}:
            msg = "log_level must be one of debug, info, warning, error"
            raise ValueError(msg)
        return value.lower()

    @property
    def database(self) -> str:
        """The database URL in effect."""
        return self.database_url or f"sqlite:///{self.data_dir / 'cnopad.db'}"

    @property
    def audit_key_path(self) -> Path:
        """The audit key file in effect."""
        return self.audit_key_file or self.data_dir / "audit.key"

    @property
    def audit_checkpoint_path(self) -> Path:
        """The audit checkpoint file in effect."""
        return self.audit_checkpoint_file or self.data_dir / "audit-checkpoints.log"

    @property
    def public_url(self) -> str:
        """The web app's public base URL."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")


def load_settings() -> Settings:
    """Read the settings from the environment; invalid values become a ConfigError naming the variable."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "CNOPAD_" + str(first["loc"][0]).upper() if first["loc"] else "CNOPAD_*"
        msg = f"{name}: {first['msg']}"
        raise ConfigError(msg) from exc
