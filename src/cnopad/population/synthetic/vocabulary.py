"""The synthetic population's vocabulary: concept and concept_ancestor rows for every code it writes.

Pairs come from knowledge/casefinding/synthetic_vocabulary.yaml (real vocabulary_id and concept_code
values); concept ids are assigned from 2,000,000,001 upward in file order, the OMOP range for local
concepts. Drugs are RxNorm clinical drugs below their ingredient and ATC classes, with concept_ancestor
rows for every ancestor-descendant pair and a self row per standard or classification concept, as Athena
ships them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa  # type: ignore[import-untyped]

from cnopad.knowledge.casefinding import SyntheticVocabularyFile

FIRST_ID = 2_000_000_001
_ATC_CLASS = {1: "ATC 1st", 3: "ATC 2nd", 4: "ATC 3rd", 5: "ATC 4th", 7: "ATC 5th"}


@dataclass
class Vocabulary:
    """Synthetic concepts by key, and the concept/concept_ancestor tables to write."""

    ids: dict[str, int] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)
    atc5: dict[str, int] = field(default_factory=dict)
    concept: pa.Table | None = None
    concept_ancestor: pa.Table | None = None

    def id(self, key: str) -> int:
        """The concept id of a synthetic concept key (e.g. ``icpc_chest``)."""
        return self.ids[key]

    def drug(self, key: str) -> int:
        """The concept id of a drug's clinical-drug product (e.g. ``naproxen``)."""
        return self.products[key]


def build(spec: SyntheticVocabularyFile) -> Vocabulary:
    """Assign ids and build the concept and concept_ancestor tables."""
    rows: list[tuple[int, str, str, str, str, str | None, str]] = []
    by_pair: dict[tuple[str, str], int] = {}
    vocab = Vocabulary()

    def add(vocabulary: str, code: str, name: str, domain: str, klass: str, standard: str | None) -> int:
        pair = (vocabulary, code)
        if pair not in by_pair:
            by_pair[pair] = FIRST_ID + len(rows)
            rows.append((by_pair[pair], name, domain, vocabulary, klass, standard, code))
        return by_pair[pair]

    for c in spec.concepts:
        vocab.ids[c.key] = add(c.vocabulary, c.code, c.name, c.domain, c.domain, "S" if c.standard else None)
    ancestors: dict[tuple[int, int], int] = {}
    for d in spec.drugs:
        chain = [add("ATC", code, f"ATC {code}", "Drug", _ATC_CLASS.get(len(code), "ATC"), "C") for code in d.atc]
        chain.append(add("RxNorm", d.ingredient.code, d.ingredient.name, "Drug", "Ingredient", "S"))
        chain.append(add("RxNorm", d.product.code, d.product.name, "Drug", "Clinical Drug", "S"))
        vocab.products[d.key] = chain[-1]
        vocab.atc5[d.key] = chain[len(d.atc) - 1]
        for i, a in enumerate(chain):
            for j in range(i, len(chain)):
                ancestors[(a, chain[j])] = j - i
    for cid, *_, standard, _code in rows:
        if standard == "S":
            ancestors.setdefault((cid, cid), 0)
    start, end = date(1970, 1, 1), date(2099, 12, 31)
    vocab.concept = pa.table(
        {
            "concept_id": pa.array([r[0] for r in rows], pa.int64()),
            "concept_name": [r[1] for r in rows],
            "domain_id": [r[2] for r in rows],
            "vocabulary_id": [r[3] for r in rows],
            "concept_class_id": [r[4] for r in rows],
            "standard_concept": pa.array([r[5] for r in rows], pa.string()),
            "concept_code": [r[6] for r in rows],
            "valid_start_date": pa.array([start] * len(rows), pa.date32()),
            "valid_end_date": pa.array([end] * len(rows), pa.date32()),
            "invalid_reason": pa.array([None] * len(rows), pa.string()),
        }
    )
    pairs = sorted(ancestors.items())
    vocab.concept_ancestor = pa.table(
        {
            "ancestor_concept_id": pa.array([p[0][0] for p in pairs], pa.int64()),
            "descendant_concept_id": pa.array([p[0][1] for p in pairs], pa.int64()),
            "min_levels_of_separation": pa.array([p[1] for p in pairs], pa.int64()),
            "max_levels_of_separation": pa.array([p[1] for p in pairs], pa.int64()),
        }
    )
    return vocab
