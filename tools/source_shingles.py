"""Write tests/fixtures/source_shingles.txt: a hash of every run of seven words of the source leaflets.

The wording test uses it to prove that no product text copies seven words in a row from the sources,
also where ../shared/seeds is not at hand (a clean clone in CI). Only hashes are stored, not the text.

    python3 tools/source_shingles.py [--check]
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
OUT = ROOT / "tests" / "fixtures" / "source_shingles.txt"
RUN = 7


def words(text: str) -> list[str]:
    """Lower-case words as the wording test splits them."""
    return re.findall(r"[a-zà-ÿ0-9]+", text.lower())


def shingle_hash(run: tuple[str, ...]) -> str:
    """The stored form of one run of words."""
    return hashlib.sha256(" ".join(run).encode("utf-8")).hexdigest()[:16]


def shingles(seeds: Path = SEEDS) -> list[str]:
    """Sorted hashes of every run of RUN words in the seed texts."""
    seed = words(" ".join(p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))))
    return sorted({shingle_hash(tuple(seed[i : i + RUN])) for i in range(len(seed) - RUN + 1)})


def main() -> int:
    """Write (or with --check, compare) the fingerprint file."""
    text = "\n".join(shingles()) + "\n"
    if "--check" in sys.argv:
        return 0 if OUT.read_text(encoding="utf-8") == text else 1
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
