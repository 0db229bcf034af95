"""The representation transformer of ``bench/representations.py`` (and the bench's synthetic bundles), for tests.

One implementation, shared with the benchmarks (which may not import tests/; the product imports neither). Each
bench module is loaded from its file under a name of its own, so bench/'s scripts never shadow a module on sys.path.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench_module(name: str) -> ModuleType:
    """The module ``bench/<name>.py``, loaded once as ``cnopad_bench_<name>``."""
    qualified = f"cnopad_bench_{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.spec_from_file_location(qualified, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


_module = bench_module("representations")
Representation = _module.Representation
Shape = _module.Shape
meaning_label = _module.meaning_label
represent = _module.represent
LATERALITY_URL: str = _module.LATERALITY_URL
synthetic_bundle = bench_module("synthetic_bundles").synthetic_bundle

__all__ = [
    "LATERALITY_URL",
    "Representation",
    "Shape",
    "bench_module",
    "meaning_label",
    "represent",
    "synthetic_bundle",
]
