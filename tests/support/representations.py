"""The representation transformer of ``bench/representations.py``, for the tests.

One implementation, shared with the benchmarks (which may not import tests/; the product imports neither). It is
loaded from its file under a name of its own, so bench/'s other scripts never shadow a module on sys.path.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_NAME = "cnopad_bench_representations"


def _load() -> ModuleType:
    if _NAME in sys.modules:
        return sys.modules[_NAME]
    spec = importlib.util.spec_from_file_location(
        _NAME, Path(__file__).resolve().parents[2] / "bench" / "representations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


_module = _load()
Representation = _module.Representation
Shape = _module.Shape
meaning_label = _module.meaning_label
represent = _module.represent
LATERALITY_URL: str = _module.LATERALITY_URL

__all__ = ["LATERALITY_URL", "Representation", "Shape", "meaning_label", "represent"]
