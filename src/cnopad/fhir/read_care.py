"""Read CareTeam, Procedure, Goal, ServiceRequest and Encounter resources."""

from __future__ import annotations

from cnopad.domain import (
    CareRole,
    CareTeamMember,
    Coding,
    Encounter,
    EncounterStatus,
    EventStatus,
    Goal,
    GoalStatus,
    Identifier,
    Procedure,
    Referral,
    RequestStatus,
    input_rules,
)
from cnopad.fhir.read_context import JsonObject, ReadContext, Reason, Unrecognized

#: the AGB code of a health professional (Vektis), the identifier cnopad's access rules use first
AGB_SYSTEM = "http://fhir.nl/fhir/NamingSystem/agb-z"


def read_care_team(resource: JsonObject, location: str, ctx: ReadContext) -> list[CareTeamMember]:
    """Every participant of a CareTeam with role(s), name, identifier (e.g. AGB code) and period.

    A member may be a Practitioner or, as nl-core does, a PractitionerRole: then the person (name and
    identifier) is the role's ``practitioner`` and the role's ``specialty``/``code`` add care roles. The
    identifier drives access control, so it is only ever the person's own: never the PractitionerRole's.
    """
    ctx.check_subject(resource, "subject", location)
    team_id = str(resource["id"])
    members: list[CareTeamMember] = []
    for index, part in enumerate(resource.get("participant") or []):
        where = f"{location}.participant[{index}]"
        roles: set[CareRole] = set()
        for r_index, role in enumerate(part.get("role") or []):
            roles |= ctx.valuesets.roles(ctx.codings(role, f"{where}.role[{r_index}]"))
        member = part.get("member") or {}
        target = ctx.resolve(member, f"{where}.member", required=False)
        organization = (part.get("onBehalfOf") or {}).get("display")
        if target is None and member.get("reference") and not _says_who(member):
            # who the member is stays unknown (no name, no identifier: no access through it); the assessment
            # reads the roles, so the participant is kept and the reference named, not the team set aside
            ctx.unrecognized.append(
                Unrecognized(
                    f"{where}.member.reference",
                    "",
                    "",
                    None,
                    Reason.REFERENCE_NOT_FOUND,
                    detail=f"refers to {member['reference']!r}, which is not in {ctx.scope}; the participant's "
                    "roles are used, its name and identifier are unknown",
                )
            )
        if _is_practitioner_role(member, target):
            role_roles, name, identifier, role_org = _practitioner_role(target, f"{where}.member", ctx)
            roles |= role_roles
            organization = organization or role_org
        else:
            name, identifier = _who(member, target)
        _fits_columns(where, str(part.get("id") or f"{team_id}-{index}"), identifier)
        period = part.get("period") or {}
        start = ctx.day(period.get("start"), f"{where}.period.start")
        end = ctx.day(period.get("end"), f"{where}.period.end")
        ctx.ordered(start, end, f"{where}.period.end")
        members.append(
            CareTeamMember(
                id=str(part.get("id") or f"{team_id}-{index}"),
                roles=frozenset(roles) or frozenset({CareRole.OTHER}),
                name=name,
                identifier=identifier,
                organization=organization,
                start=start,
                end=end,
                team_id=team_id,
            )
        )
    return members


def _fits_columns(where: str, member_id: str, identifier: Identifier | None) -> None:
    """A member id and identifier longer than the care-team index holds are refused (no database may cut them)."""
    input_rules.check_text(f"{where}.id", member_id, max_length=input_rules.LIMITS["entry_id"])
    if identifier is not None:
        limit = input_rules.LIMITS["identifier"]
        input_rules.check_text(f"{where}.member.identifier.system", identifier.system, max_length=limit)
        input_rules.check_text(f"{where}.member.identifier.value", identifier.value, max_length=limit)


def _is_practitioner_role(member: JsonObject, target: JsonObject | None) -> bool:
    """True when the member reference points at a PractitionerRole (in the Bundle or by its type)."""
    if target is not None:
        return target.get("resourceType") == "PractitionerRole"
    return member.get("type") == "PractitionerRole" or str(member.get("reference", "")).startswith("PractitionerRole/")


def _practitioner_role(
    role: JsonObject | None, location: str, ctx: ReadContext
) -> tuple[set[CareRole], str, Identifier | None, str | None]:
    """Care roles (specialty, code), name, the person's identifier and organisation of a PractitionerRole."""
    if role is None:  # referenced but not sent: no person, so no identifier (access is never guessed)
        return set(), "(no name)", None, None
    roles: set[CareRole] = set()
    for key in ("specialty", "code"):
        for index, cc in enumerate(role.get(key) or []):
            roles |= ctx.valuesets.roles(ctx.codings(cc, f"{location}.{key}[{index}]"))
    practitioner = role.get("practitioner") or {}
    person = ctx.resolve(practitioner, f"{location}.practitioner", required=False)
    name, identifier = _who(practitioner, person)
    return roles, name, identifier, (role.get("organization") or {}).get("display")


def _says_who(member: JsonObject) -> bool:
    """True when a member reference itself names the member or gives its identifier."""
    return bool(member.get("display") or (member.get("identifier") or {}).get("value"))


def _who(member: JsonObject, target: JsonObject | None) -> tuple[str, Identifier | None]:
    """Name and identifier of a person, from the reference (its identifier) or the referenced Practitioner.

    Of several identifiers (BIG, UZI, AGB) the AGB code is taken, as cnopad's users are registered by it;
    otherwise the first one.
    """
    identifier = None
    raw_id = member.get("identifier")
    if raw_id and raw_id.get("value"):
        identifier = Identifier(str(raw_id.get("system", "")), str(raw_id["value"]))
    name = member.get("display")
    if target is not None:
        if identifier is None:
            identifier = _preferred_identifier(target.get("identifier") or [])
        if not name:
            for human in target.get("name") or []:
                name = human.get("text") or " ".join(
                    str(p)
                    for p in [*(human.get("prefix") or []), *(human.get("given") or []), human.get("family")]
                    if p
                )
                if name:
                    break
    return str(name or "(no name)"), identifier


def _preferred_identifier(raw: list[JsonObject]) -> Identifier | None:
    """The AGB identifier among a Practitioner's identifiers, else the first one with a value."""
    found = [Identifier(str(i.get("system", "")), str(i["value"])) for i in raw if i.get("value")]
    return next((i for i in found if i.system == AGB_SYSTEM), found[0] if found else None)


def read_procedure(resource: JsonObject, location: str, ctx: ReadContext) -> Procedure:
    """A procedure or screening: dental check, physiotherapy episode, TB screening, care agreements."""
    ctx.check_subject(resource, "subject", location)
    codings = ctx.codings(resource.get("code"), f"{location}.code")
    status = ctx.enum(EventStatus, resource.get("status", "completed"), f"{location}.status")
    period = resource.get("performedPeriod") or {}
    start = ctx.day(
        resource.get("performedDateTime") or period.get("start"),
        f"{location}.performedDateTime",
        past=status is EventStatus.COMPLETED,
    )
    end = ctx.day(period.get("end"), f"{location}.performedPeriod.end", past=status is EventStatus.COMPLETED)
    ctx.ordered(start, end, f"{location}.performedPeriod.end")
    return Procedure(
        id=str(resource["id"]),
        codings=codings,
        concepts=ctx.concepts(codings),
        start=start,
        end=end,
        status=status,
        text=(resource.get("code") or {}).get("text"),
    )


def read_goal(resource: JsonObject, location: str, ctx: ReadContext) -> Goal:
    """The agreed treatment goal (free text and/or coded), with start and last review (statusDate)."""
    ctx.check_subject(resource, "subject", location)
    description = resource.get("description") or {}
    codings = ctx.codings(description, f"{location}.description") if description.get("coding") else ()
    start = ctx.day(resource.get("startDate"), f"{location}.startDate")
    reviewed = ctx.day(resource.get("statusDate"), f"{location}.statusDate", past=True)
    ctx.ordered(start, reviewed, f"{location}.statusDate")
    return Goal(
        id=str(resource["id"]),
        description=str(description.get("text") or (codings[0].display if codings and codings[0].display else "")),
        codings=codings,
        concepts=ctx.concepts(codings),
        status=ctx.enum(GoalStatus, resource.get("lifecycleStatus", "active"), f"{location}.lifecycleStatus"),
        start=start,
        reviewed=reviewed,
    )


def read_service_request(resource: JsonObject, location: str, ctx: ReadContext) -> Referral:
    """A referral or consultation request with its target, date and status."""
    ctx.check_subject(resource, "subject", location)
    codings = ctx.codings(resource.get("code"), f"{location}.code")
    authored = ctx.day(resource.get("authoredOn"), f"{location}.authoredOn", past=True)
    planned = ctx.day(resource.get("occurrenceDateTime"), f"{location}.occurrenceDateTime")
    notes = [n.get("text") for n in resource.get("note") or [] if n.get("text")]
    return Referral(
        id=str(resource["id"]),
        codings=codings,
        concepts=ctx.concepts(codings),
        authored=authored,
        planned=planned,
        status=ctx.enum(RequestStatus, resource.get("status", "active"), f"{location}.status"),
        text=notes[0] if notes else None,
    )


def read_encounter(resource: JsonObject, location: str, ctx: ReadContext) -> Encounter:
    """A contact (GP, specialist, expertise-centre review, out of hours), past or planned."""
    ctx.check_subject(resource, "subject", location)
    codings: tuple[Coding, ...] = ()
    for index, cc in enumerate(resource.get("type") or []):
        codings = (*codings, *ctx.codings(cc, f"{location}.type[{index}]"))
    status = resource.get("status", "unknown")
    known = {s.value for s in EncounterStatus}
    start = ctx.day((resource.get("period") or {}).get("start"), f"{location}.period.start", past=status == "finished")
    return Encounter(
        id=str(resource["id"]),
        codings=codings,
        concepts=ctx.concepts(codings),
        start=start,
        status=EncounterStatus(status) if status in known else EncounterStatus.UNKNOWN,
        text=((resource.get("type") or [{}])[0]).get("text"),
    )
