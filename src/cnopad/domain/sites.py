"""Where CNO affects the skeleton: a bone and a side, counted at the bone level.

A :class:`Site` is a frozen value ``(bone, side)``. Focality (unifocal/multifocal) and symmetry are
counted over (bone, side), never over coarse groups: both tibiae are two sites, and symmetric. Rules that
need a coarse group (the anterior chest wall of adult CNO-SCCH, NHG-DEF-1; long bones) read
:attr:`Site.region`.

Public API for readers of codes and text (the FHIR reader, the radiology/pathology text reader):

- :class:`Bone`, :class:`Side`, :class:`Region`, :class:`Site` - the value types;
- :meth:`Site.parse` / :attr:`Site.token` - the stable text form (``"tibia"``, ``"tibia:left"``) used in
  case files, storage and forms; the coarse names of earlier versions (``long_bone``, ``other``, ...)
  still parse;
- :func:`side_in_text` - the side named by Dutch or English words (links/rechts/beiderzijds,
  left/right/bilateral);
- :func:`site_count`, :func:`lesion_sites`, :func:`is_symmetric` - counting.

Which words name which bone is knowledge (``knowledge/valuesets/sites.yaml``, ``text:`` per bone) and is
read through ``ValueSetIndex.sites_in_text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Region(StrEnum):
    """Coarse groups of bones some rules speak of (NHG-DEF-1, CRMO-DEF-1)."""

    ANTERIOR_CHEST_WALL = "anterior_chest_wall"
    SPINE = "spine"
    PELVIS = "pelvis"
    JAW = "jaw"
    SKULL = "skull"
    SHOULDER_GIRDLE = "shoulder_girdle"
    LONG_BONE = "long_bone"
    HAND_FOOT = "hand_foot"
    OTHER = "other"


class Bone(StrEnum):
    """A bone (or joint) a lesion sits in; the values are cnopad's site codes (``site-<value>``)."""

    STERNUM = "sternum"
    CLAVICLE = "clavicle"
    STERNOCLAVICULAR_JOINT = "sternoclavicular_joint"
    FIRST_RIB = "first_rib"
    OTHER_RIB = "other_rib"
    SCAPULA = "scapula"
    MANDIBLE = "mandible"
    SKULL = "skull"
    VERTEBRA = "vertebra"
    SACRUM = "sacrum"
    SACROILIAC = "sacroiliac"
    PELVIS = "pelvis"
    FEMUR = "femur"
    PATELLA = "patella"
    TIBIA = "tibia"
    FIBULA = "fibula"
    HUMERUS = "humerus"
    RADIUS = "radius"
    ULNA = "ulna"
    HAND = "hand"
    FOOT = "foot"
    LONG_BONE = "long_bone"  # a long bone, which one not stated
    OTHER = "other"  # another bone, which one not stated

    @property
    def region(self) -> Region:
        """The coarse group this bone belongs to."""
        return _REGION[self]

    @property
    def paired(self) -> bool:
        """False for the bones of the midline (one sternum, one mandible, ...): they have no side."""
        return self not in _MIDLINE_BONES


class Side(StrEnum):
    """The side of a lesion; BILATERAL means the bone on both sides (two sites)."""

    LEFT = "left"
    RIGHT = "right"
    MIDLINE = "midline"
    BILATERAL = "bilateral"
    UNKNOWN = "unknown"


_REGION: dict[Bone, Region] = {
    Bone.STERNUM: Region.ANTERIOR_CHEST_WALL,
    Bone.CLAVICLE: Region.ANTERIOR_CHEST_WALL,
    Bone.STERNOCLAVICULAR_JOINT: Region.ANTERIOR_CHEST_WALL,
    Bone.FIRST_RIB: Region.ANTERIOR_CHEST_WALL,
    Bone.OTHER_RIB: Region.ANTERIOR_CHEST_WALL,
    Bone.SCAPULA: Region.SHOULDER_GIRDLE,
    Bone.MANDIBLE: Region.JAW,
    Bone.SKULL: Region.SKULL,
    Bone.VERTEBRA: Region.SPINE,
    Bone.SACRUM: Region.PELVIS,
    Bone.SACROILIAC: Region.PELVIS,
    Bone.PELVIS: Region.PELVIS,
    Bone.FEMUR: Region.LONG_BONE,
    Bone.PATELLA: Region.OTHER,
    Bone.TIBIA: Region.LONG_BONE,
    Bone.FIBULA: Region.LONG_BONE,
    Bone.HUMERUS: Region.LONG_BONE,
    Bone.RADIUS: Region.LONG_BONE,
    Bone.ULNA: Region.LONG_BONE,
    Bone.HAND: Region.HAND_FOOT,
    Bone.FOOT: Region.HAND_FOOT,
    Bone.LONG_BONE: Region.LONG_BONE,
    Bone.OTHER: Region.OTHER,
}

#: single bones of the midline: a side given for them is not a second site (bone level, not half-bone)
_MIDLINE_BONES = frozenset({Bone.STERNUM, Bone.MANDIBLE, Bone.SKULL, Bone.VERTEBRA, Bone.SACRUM})

#: the two bones that say only "some long bone" / "some bone": a named bone in the same coding wins
UNSPECIFIED_BONES = frozenset({Bone.LONG_BONE, Bone.OTHER})


@dataclass(frozen=True, slots=True, order=True)
class Site:
    """A lesion site: a bone and a side (unpaired bones are always MIDLINE)."""

    bone: Bone
    side: Side = Side.UNKNOWN

    def __post_init__(self) -> None:
        if not self.bone.paired and self.side is not Side.MIDLINE:
            object.__setattr__(self, "side", Side.MIDLINE)
        elif self.bone.paired and self.side is Side.MIDLINE:
            object.__setattr__(self, "side", Side.UNKNOWN)

    @property
    def region(self) -> Region:
        """The coarse group of the bone (e.g. the anterior chest wall)."""
        return self.bone.region

    @property
    def token(self) -> str:
        """The stable text form: ``tibia`` (side unknown or midline) or ``tibia:left``."""
        if self.side in (Side.UNKNOWN, Side.MIDLINE):
            return self.bone.value
        return f"{self.bone.value}:{self.side.value}"

    @classmethod
    def parse(cls, token: str) -> Site:
        """A site from its token (``tibia``, ``tibia:left``); ValueError names what is wrong."""
        bone_text, _, side_text = token.strip().partition(":")
        try:
            bone = Bone(bone_text)
        except ValueError:
            msg = f"{bone_text!r} is not a bone cnopad knows ({', '.join(b.value for b in Bone)})"
            raise ValueError(msg) from None
        try:
            side = Side(side_text) if side_text else Side.UNKNOWN
        except ValueError:
            msg = f"{side_text!r} is not a side ({', '.join(s.value for s in Side)})"
            raise ValueError(msg) from None
        return cls(bone, side)

    def with_side(self, side: Side) -> Site:
        """The same bone on ``side`` (a side already known from the code itself is kept)."""
        if self.side is not Side.UNKNOWN or side is Side.UNKNOWN:
            return self
        return Site(self.bone, side)

    def __str__(self) -> str:
        return self.token


#: the anterior chest wall, the typical place of adult CNO-SCCH (NHG-DEF-1)
ANTERIOR_CHEST_WALL = frozenset(b for b in Bone if b.region is Region.ANTERIOR_CHEST_WALL)


def on_anterior_chest_wall(sites: Iterable[Site]) -> bool:
    """True when any site lies on the anterior chest wall (NHG-DEF-1)."""
    return any(s.bone in ANTERIOR_CHEST_WALL for s in sites)


def lesion_sites(sites: Iterable[Site]) -> frozenset[tuple[Bone, Side]]:
    """The distinct (bone, side) pairs: bilateral counts as left and right; an unknown side merges
    with a known side of the same bone (it may be the same lesion), and alone counts once."""
    known: set[tuple[Bone, Side]] = set()
    unknown: set[Bone] = set()
    for site in sites:
        if site.side is Side.BILATERAL:
            known |= {(site.bone, Side.LEFT), (site.bone, Side.RIGHT)}
        elif site.side is Side.UNKNOWN:
            unknown.add(site.bone)
        else:
            known.add((site.bone, site.side))
    sided = {bone for bone, _ in known}
    return frozenset(known | {(bone, Side.UNKNOWN) for bone in unknown - sided})


def site_count(sites: Iterable[Site]) -> int:
    """How many lesion sites: distinct (bone, side) pairs (both tibiae are two)."""
    return len(lesion_sites(sites))


def is_symmetric(sites: Iterable[Site]) -> bool:
    """True when some bone is affected on both the left and the right side."""
    pairs = lesion_sites(sites)
    return any((bone, Side.RIGHT) in pairs for bone, side in pairs if side is Side.LEFT)


#: words that name a side, Dutch and English (lower case, whole words); "both sides" before one side
_SIDE_PATTERNS: tuple[tuple[Side, re.Pattern[str]], ...] = (
    (
        Side.BILATERAL,
        re.compile(
            r"\b(beiderzijds|bilateraal|bilaterale|dubbelzijdig|beide zijden|bilateral|both sides"
            r"|left and right|links en rechts)\b"
        ),
    ),
    # single letters (l, r, li, re) are left out on purpose: "mg/l" or "re-evaluation" would match
    # "linker"/"rechter" also start Dutch compounds: linkertibia, rechterclavicula
    (Side.LEFT, re.compile(r"\b(links\b|linker|linkse\b|left\b|lt\b)")),
    (Side.RIGHT, re.compile(r"\b(rechts\b|rechter|rechtse\b|right\b|rt\b)")),
)


def side_in_text(text: str) -> Side:
    """The side a free text names (Dutch or English): both sides named is BILATERAL, none is UNKNOWN."""
    lowered = text.lower()
    bilateral, left, right = (pattern.search(lowered) is not None for _, pattern in _SIDE_PATTERNS)
    if bilateral or (left and right):
        return Side.BILATERAL
    if left:
        return Side.LEFT
    if right:
        return Side.RIGHT
    return Side.UNKNOWN
