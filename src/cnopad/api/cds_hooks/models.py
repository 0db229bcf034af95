"""CDS Hooks 2.0 wire formats as Pydantic models, with the specification's invariants as validators.

Invariants (named as in the HL7 CDS Hooks IG): cds-r-1 fhirAuthorization needs fhirServer;
cds-r-2 patient scopes should name the patient; cds-resp-1 selectionBehavior values; cds-resp-2 a
delete names its resourceId; cds-resp-3 appContext only on smart links; cds-resp-4 override reasons
carry a display; cds-resp-5 an action has a description; cds-resp-6 suggestions need a
selectionBehavior; cds-fb-1 outcome values; cds-fb-2 accepted needs acceptedSuggestions; cds-fb-3 an
override reason has a reason, a comment or both. JSON elements are never null or empty: optional
fields without a value are left out when serialised (``dump``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cnopad.domain.input_rules import LIMITS

SUMMARY_MAX = 139  # "<140-character summary"


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def dump(self) -> dict[str, Any]:
        """JSON with optional fields omitted (never null, "", [] or {})."""
        result: dict[str, Any] = _drop_empty(self.model_dump(mode="json", by_alias=True, exclude_none=True))
        return result


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


# ---------------------------------------------------------------------------------- request
class FhirAuthorization(_Model):
    """The bearer token a CDS Client hands over for its FHIR server."""

    access_token: str = Field(min_length=1)
    token_type: Literal["Bearer", "bearer"]
    expires_in: int
    scope: str
    subject: str
    patient: str | None = None

    @model_validator(mode="after")
    def _patient_scopes(self) -> FhirAuthorization:
        # cds-r-2 is a SHOULD: accepted without a patient, since the context names the patient anyway
        return self


class HookRequest(_Model):
    """A call to a CDS Service."""

    hook: str = Field(min_length=1)
    hookInstance: str = Field(min_length=1, max_length=200)
    fhirServer: str | None = Field(default=None, max_length=2000)
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _server_with_authorization(self) -> HookRequest:
        if self.fhirAuthorization is not None and not self.fhirServer:
            msg = "fhirServer is required when fhirAuthorization is given (cds-r-1)"
            raise ValueError(msg)
        return self


# ---------------------------------------------------------------------------------- response
class Coding(_Model):
    """The CDS Hooks Coding data type."""

    # the lengths of the feedback table's columns (cds_feedback.reason_*), so no database refuses a value
    system: str = Field(max_length=LIMITS["coding_system"])
    code: str = Field(max_length=LIMITS["coding_code"])
    display: str | None = Field(default=None, max_length=LIMITS["coding_display"])


class Source(_Model):
    """Where the card's guidance comes from."""

    label: str = Field(min_length=1)
    url: str | None = None
    icon: str | None = None
    topic: Coding | None = None


class Action(_Model):
    """A suggested change (create, update or delete)."""

    type: Literal["create", "update", "delete"]
    description: str = Field(min_length=1)  # cds-resp-5
    resource: dict[str, Any] | None = None
    resourceId: str | None = None

    @model_validator(mode="after")
    def _delete_names_resource(self) -> Action:
        if self.type == "delete" and not self.resourceId:
            msg = "a delete action names its resourceId (cds-resp-2)"
            raise ValueError(msg)
        if self.type in ("create", "update") and not self.resource:
            msg = f"a {self.type} action carries the resource"
            raise ValueError(msg)
        return self


class Suggestion(_Model):
    """A set of actions the user can accept."""

    label: str = Field(min_length=1)
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] | None = None


class Link(_Model):
    """A link to more information or an app."""

    label: str = Field(min_length=1)
    url: str = Field(min_length=1)
    type: Literal["absolute", "smart"]
    appContext: str | None = None
    autolaunchable: bool | None = None

    @model_validator(mode="after")
    def _app_context_only_for_smart(self) -> Link:
        if self.appContext is not None and self.type != "smart":
            msg = "appContext is only valid on smart links (cds-resp-3)"
            raise ValueError(msg)
        return self


class OverrideCoding(Coding):
    """An override reason: a Coding that must carry a display (cds-resp-4)."""

    display: str = Field(min_length=1)


class Card(_Model):
    """One CDS Hooks card."""

    uuid: str | None = None
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[OverrideCoding] | None = None
    links: list[Link] | None = None
    extension: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _suggestions_need_selection_behavior(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            msg = "cards with suggestions state a selectionBehavior (cds-resp-6)"
            raise ValueError(msg)
        return self


class HookResponse(_Model):
    """The answer to a hook call."""

    cards: list[Card]
    systemActions: list[Action] | None = None
    #: response-level extensions (CDS Hooks reserves ``extension`` on every object; cnopad uses
    #: ``nl.cnopad.not-understood``, see docs/cds-hooks.md)
    extension: dict[str, Any] | None = None

    def dump(self) -> dict[str, Any]:
        """JSON; an empty ``cards`` list is the one empty element the specification allows."""
        # the cards are dumped once, each on its own (dumping the whole response first would walk every card's
        # suggestions twice on the hot path of every hook call)
        body: dict[str, Any] = _drop_empty(
            self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"cards"})
        )
        return {"cards": [c.dump() for c in self.cards], **body}


# ---------------------------------------------------------------------------------- discovery
class ServiceDefinition(_Model):
    """One CDS Service in the discovery document."""

    hook: str
    title: str | None = None
    description: str
    id: str
    prefetch: dict[str, str] | None = None
    usageRequirements: str | None = None


class Discovery(_Model):
    """The discovery document."""

    services: list[ServiceDefinition]

    def dump(self) -> dict[str, Any]:
        """JSON (an empty ``services`` list is allowed)."""
        return {"services": [s.dump() for s in self.services]}


# ---------------------------------------------------------------------------------- feedback
class AcceptedSuggestion(_Model):
    """An accepted suggestion, by uuid."""

    id: str = Field(min_length=1, max_length=200)


class OverrideReason(_Model):
    """Why a card was overridden: a coded reason, a comment, or both (cds-fb-3)."""

    reason: Coding | None = None
    userComment: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _reason_or_comment(self) -> OverrideReason:
        if self.reason is None and not self.userComment:
            msg = "an overrideReason holds a reason, a userComment or both (cds-fb-3)"
            raise ValueError(msg)
        return self


class FeedbackItem(_Model):
    """The outcome of one card."""

    card: str = Field(min_length=1, max_length=200)
    outcome: Literal["accepted", "overridden"]  # cds-fb-1
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: datetime

    @model_validator(mode="after")
    def _accepted_names_suggestions(self) -> FeedbackItem:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            msg = "an accepted outcome lists its acceptedSuggestions (cds-fb-2)"
            raise ValueError(msg)
        return self


class FeedbackRequest(_Model):
    """A feedback POST."""

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=500)
