"""Where CNO affects the skeleton."""

from __future__ import annotations

from enum import StrEnum


class Site(StrEnum):
    """An affected bone region; the sources name these (NHG-DEF-1, CRMO-DEF-1)."""

    STERNUM = "sternum"
    CLAVICLE = "clavicle"
    FIRST_RIB = "first_rib"
    OTHER_RIB = "other_rib"
    VERTEBRA = "vertebra"
    SACROILIAC = "sacroiliac"
    PELVIS = "pelvis"
    MANDIBLE = "mandible"
    LONG_BONE = "long_bone"
    OTHER = "other"


#: the anterior chest wall, the typical place of adult CNO-SCCH (NHG-DEF-1)
ANTERIOR_CHEST_WALL = frozenset({Site.STERNUM, Site.CLAVICLE, Site.FIRST_RIB, Site.OTHER_RIB})
