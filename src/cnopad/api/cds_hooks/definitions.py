"""The three CDS Services cnopad offers, as the discovery document lists them."""

from __future__ import annotations

from cnopad.api.cds_hooks.models import Discovery, ServiceDefinition
from cnopad.services.cds import PREFETCH

SERVICES: dict[str, ServiceDefinition] = {
    "cnopad-patient-view": ServiceDefinition(
        hook="patient-view",
        id="cnopad-patient-view",
        title="cnopad: CNO care pathway",
        description="For patients with (suspected) chronic non-bacterial osteomyelitis (CNO-SCCH, CRMO): what is "
        "due, risky or overlooked according to the Dutch GP leaflet (NHG 2023) and the CRMO parent information.",
        prefetch=dict(PREFETCH),
        usageRequirements="Needs the patient's Conditions, medications, Observations, Procedures, Immunizations, "
        "CareTeam and Goals (prefetch, or a FHIR server with a token). Cards are suggestions; a clinician decides.",
    ),
    "cnopad-order-select": ServiceDefinition(
        hook="order-select",
        id="cnopad-order-select",
        title="cnopad: CNO order checks (select)",
        description="Checks selected draft orders of a CNO patient: a bisphosphonate without a dental check, a "
        "TNF-alpha inhibitor without TB and hepatitis B screening, a live vaccine under immunosuppression, "
        "medication in (wished) pregnancy, an NSAID where stomach protection is needed.",
        prefetch=dict(PREFETCH),
    ),
    "cnopad-order-sign": ServiceDefinition(
        hook="order-sign",
        id="cnopad-order-sign",
        title="cnopad: CNO order checks (sign)",
        description="The same checks as cnopad-order-select, on every draft order about to be signed.",
        prefetch=dict(PREFETCH),
    ),
}


def discovery() -> Discovery:
    """The discovery document."""
    return Discovery(services=list(SERVICES.values()))
