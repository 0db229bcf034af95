"""docs/population.md documents every feature with its points, every screen option and every output file."""

from __future__ import annotations

import re
from pathlib import Path

from cnopad.knowledge.casefinding import casefinding
from cnopad.population.outputs import FILES

DOC = (Path(__file__).resolve().parents[3] / "docs" / "population.md").read_text("utf-8")


def test_every_feature_is_in_the_score_table_with_its_points_and_age() -> None:
    rows = {m[0]: (m[1], int(m[2])) for m in re.findall(r"^\| `([a-z_]+)` \| (adult|child|any) \| (\d+) \|", DOC, re.M)}
    assert {f.id: (f.scope, f.points) for f in casefinding().features} == rows


def test_the_threshold_and_every_output_file_and_option_are_documented() -> None:
    assert f"from {casefinding().score.threshold.points} points" in DOC
    assert [name for name in FILES if f"`{name}`" not in DOC] == []
    options = ["--omop", "--out", "--backend", "--threshold", "--truth", "--spark-master", "--memory-limit", "--lang"]
    assert [o for o in options if f"`{o}" not in DOC] == []
