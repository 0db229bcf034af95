"""CDS Hooks 2.0 invariants, checked on every document the tests see (independent of cnopad's models).

Returns a list of violations (empty when the document conforms). Names follow the HL7 CDS Hooks IG:
cds-r-* (request), cds-resp-* (response), cds-fb-* (feedback), plus the JSON rules of the spec
(no null or empty elements, except an empty ``cards`` list) and the card summary length.
"""

from __future__ import annotations

from typing import Any

INDICATORS = {"info", "warning", "critical"}
LINK_TYPES = {"absolute", "smart"}
ACTION_TYPES = {"create", "update", "delete"}
SELECTION = {"at-most-one", "any"}


def _empties(value: Any, path: str, out: list[str], *, allow_empty: frozenset[str] = frozenset()) -> None:
    if value is None:
        out.append(f"{path}: null is not allowed")
    elif isinstance(value, (str, list, dict)) and len(value) == 0 and path not in allow_empty:
        out.append(f"{path}: empty value is not allowed")
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "resource":  # FHIR resources follow FHIR's own rules
                continue
            _empties(child, f"{path}.{key}", out, allow_empty=allow_empty)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _empties(child, f"{path}[{index}]", out, allow_empty=allow_empty)


def check_request(body: dict[str, Any]) -> list[str]:
    """cds-r-1, cds-r-2 and the required fields of a hook request."""
    out = [f"request.{f} is required" for f in ("hook", "hookInstance", "context") if f not in body]
    if "fhirAuthorization" in body and not body.get("fhirServer"):
        out.append("cds-r-1: fhirAuthorization requires fhirServer")
    auth = body.get("fhirAuthorization") or {}
    if "patient/" in str(auth.get("scope", "")) and not auth.get("patient"):
        out.append("cds-r-2 (SHOULD): patient scopes should name the patient")
    return out


def check_card(card: dict[str, Any], where: str = "card") -> list[str]:
    """Every card rule of the specification."""
    out: list[str] = []
    summary = card.get("summary")
    if not isinstance(summary, str) or not summary:
        out.append(f"{where}.summary is required")
    elif len(summary) >= 140:
        out.append(f"{where}.summary has {len(summary)} characters (must be < 140)")
    if card.get("indicator") not in INDICATORS:
        out.append(f"{where}.indicator {card.get('indicator')!r} is not info, warning or critical")
    source = card.get("source")
    if not isinstance(source, dict) or not source.get("label"):
        out.append(f"{where}.source.label is required")
    suggestions = card.get("suggestions")
    if suggestions and "selectionBehavior" not in card:
        out.append(f"cds-resp-6: {where} has suggestions but no selectionBehavior")
    if "selectionBehavior" in card and card["selectionBehavior"] not in SELECTION:
        out.append(f"cds-resp-1: {where}.selectionBehavior {card['selectionBehavior']!r}")
    for i, suggestion in enumerate(suggestions or []):
        if not suggestion.get("label"):
            out.append(f"{where}.suggestions[{i}].label is required")
        for j, action in enumerate(suggestion.get("actions") or []):
            at = f"{where}.suggestions[{i}].actions[{j}]"
            if action.get("type") not in ACTION_TYPES:
                out.append(f"{at}.type {action.get('type')!r}")
            if not action.get("description"):
                out.append(f"cds-resp-5: {at}.description is required")
            if action.get("type") == "delete" and not action.get("resourceId"):
                out.append(f"cds-resp-2: {at} delete without resourceId")
            if action.get("type") in ("create", "update") and not isinstance(action.get("resource"), dict):
                out.append(f"{at}: {action.get('type')} without a resource")
    for i, reason in enumerate(card.get("overrideReasons") or []):
        if not reason.get("display"):
            out.append(f"cds-resp-4: {where}.overrideReasons[{i}] has no display")
        if not reason.get("code") or not reason.get("system"):
            out.append(f"{where}.overrideReasons[{i}] needs code and system")
    for i, link in enumerate(card.get("links") or []):
        if not link.get("label") or not link.get("url"):
            out.append(f"{where}.links[{i}] needs label and url")
        if link.get("type") not in LINK_TYPES:
            out.append(f"{where}.links[{i}].type {link.get('type')!r}")
        if "appContext" in link and link.get("type") != "smart":
            out.append(f"cds-resp-3: {where}.links[{i}] appContext on a non-smart link")
    return out


def check_response(body: dict[str, Any]) -> list[str]:
    """A hook response: cards (may be empty), every card valid, nothing null or empty."""
    out: list[str] = []
    if not isinstance(body.get("cards"), list):
        return ["response.cards is required"]
    for i, card in enumerate(body["cards"]):
        out.extend(check_card(card, f"cards[{i}]"))
    _empties(body, "response", out, allow_empty=frozenset({"response.cards"}))
    return out


def check_discovery(body: dict[str, Any]) -> list[str]:
    """A discovery document."""
    out: list[str] = []
    if not isinstance(body.get("services"), list):
        return ["services is required"]
    for i, service in enumerate(body["services"]):
        for field in ("hook", "description", "id"):
            if not service.get(field):
                out.append(f"services[{i}].{field} is required")
    _empties(body, "discovery", out, allow_empty=frozenset({"discovery.services"}))
    return out


def check_feedback(body: dict[str, Any]) -> list[str]:
    """cds-fb-1, cds-fb-2, cds-fb-3 on a feedback request."""
    out: list[str] = []
    for i, item in enumerate(body.get("feedback") or []):
        where = f"feedback[{i}]"
        if item.get("outcome") not in ("accepted", "overridden"):
            out.append(f"cds-fb-1: {where}.outcome {item.get('outcome')!r}")
        if item.get("outcome") == "accepted" and not item.get("acceptedSuggestions"):
            out.append(f"cds-fb-2: {where} accepted without acceptedSuggestions")
        reason = item.get("overrideReason")
        if reason is not None and not (reason.get("reason") or reason.get("userComment")):
            out.append(f"cds-fb-3: {where}.overrideReason needs a reason or a userComment")
        for field in ("card", "outcomeTimestamp"):
            if not item.get(field):
                out.append(f"{where}.{field} is required")
    return out
