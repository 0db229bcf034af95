"""Commands for population case-finding (``cnopad population generate``, ``cnopad population screen``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from cnopad.cli import options
from cnopad.cli.app import app
from cnopad.domain.input_rules import LIMITS
from cnopad.errors import InputError

population_app = typer.Typer(help="Find people who may have undiagnosed CNO in OMOP CDM data.", no_args_is_help=True)
app.add_typer(population_app, name="population")

out = Console()
_LOCATION = options.text(LIMITS["location"])
#: bounds that keep a run finite and a score comparable (a typing error beyond them, not a wish)
_MAX_PERSONS = 100_000_000
_MAX_THRESHOLD = 10_000


class RichProgress:
    """Draws the stages of a long run with Rich (the population package only knows the Progress protocol)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def stage(self, name: str, total: int | None = None) -> None:
        """Finish the current stage and start the next."""
        if self._task is not None:
            task = self._progress.tasks[-1]
            self._progress.update(self._task, completed=task.total or 1, total=task.total or 1)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, done: int = 1) -> None:
        """Move the current stage on."""
        if self._task is not None:
            self._progress.advance(self._task, done)

    def finish(self) -> None:
        """Mark the last stage done."""
        self.stage("Done", 1)
        self.advance(1)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


@population_app.command("generate")
def generate(
    persons: Annotated[int, typer.Option(help="How many synthetic persons (1 to 100 000 000).")],
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="A new or empty folder: omop/*.parquet and truth.parquet.", callback=options.path),
    ],
    seed: Annotated[
        int, typer.Option(min=0, max=2**63 - 1, help="Random seed; the same seed and size give the same data.")
    ] = 0,
) -> None:
    """Write a synthetic OMOP CDM population with planted undiagnosed CNO cases and look-alikes (truth kept apart)."""
    from cnopad.population.synthetic import generate as make

    if persons > _MAX_PERSONS:  # below 1 is refused by the generator itself
        msg = "--persons"
        raise InputError(msg, f"must be at most {_MAX_PERSONS}")
    with _progress() as bar:
        shown = RichProgress(bar)
        result = make(persons, seed, out_dir, shown)
        shown.finish()
    table = Table("table", "rows", title=f"Synthetic OMOP population in {result.out} ({result.seconds:.1f} s)")
    for name, rows in sorted(result.rows.items()):
        table.add_row(name, f"{rows:,}")
    out.print(table)
    kinds = Table("kind", "persons", title="Truth (in truth.parquet, outside the OMOP folder)")
    for kind, n in sorted(result.kinds.items()):
        kinds.add_row(kind, f"{n:,}")
    out.print(kinds)


@population_app.command("screen")
def screen(
    omop: Annotated[
        str,
        typer.Option(
            help="A folder of Parquet/CSV tables, a DuckDB file, or postgresql://user@host/db?schema=cdm",
            callback=_LOCATION,
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="A new or empty folder for the ranked list and the report.", callback=options.path),
    ],
    backend: Annotated[
        str | None, typer.Option(help="duckdb (default), spark or postgres; inferred from --omop when left out.")
    ] = None,
    threshold: Annotated[
        int | None,
        typer.Option(help="Points from which a person is listed (default from the knowledge base)."),
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option(help="A truth file (person_id, kind) to report recall and precision.", callback=options.path),
    ] = None,
    spark_master: Annotated[
        str, typer.Option(help="Spark master URL for --backend spark.", callback=_LOCATION)
    ] = "local[2]",
    memory_limit: Annotated[
        str, typer.Option(help="DuckDB memory limit, a size such as 4GB or 500MB.", callback=options.memory_size)
    ] = "2GB",
    lang: Annotated[str, typer.Option(help="Language of the feature titles in the report: nl or en.")] = "en",
) -> None:
    """Screen OMOP CDM data for records that may look like undiagnosed CNO: a ranked list for clinical review."""
    from cnopad.knowledge.casefinding import casefinding
    from cnopad.population import BACKENDS, SourceSpec
    from cnopad.population import screen as run_screen
    from cnopad.population.evaluation import evaluate, read_truth
    from cnopad.population.outputs import check_out, write_outputs
    from cnopad.population.privacy import ratio, shown

    if backend is not None and backend not in BACKENDS:
        msg = "--backend"
        raise InputError(msg, f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    if lang not in ("nl", "en"):
        msg = "--lang"
        raise InputError(msg, "use nl or en")
    if threshold is not None and threshold < 1:
        msg = "--threshold"
        raise InputError(msg, "must be at least 1")
    if threshold is not None and threshold > _MAX_THRESHOLD:
        msg = "--threshold"
        raise InputError(msg, f"must be at most {_MAX_THRESHOLD}")
    check_out(out_dir)
    truth_table = read_truth(truth) if truth is not None else None
    spec = SourceSpec(omop, backend=backend, spark_master=spark_master, duckdb_memory_limit=memory_limit)
    kb = casefinding()
    with _progress() as bar:
        shown_progress = RichProgress(bar)
        result = run_screen(spec, threshold=threshold, progress=shown_progress, kb=kb)
        evaluation = evaluate(truth_table, result.ranked) if truth_table is not None else None
        shown_progress.stage("Writing the ranked list and the report")
        generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        write_outputs(result, kb, out_dir, lang=lang, evaluation=evaluation, generated=generated)
        shown_progress.finish()
    summary = Table(
        "", "", title="Case-finding screen (a screening aid, not a diagnosis; counts below 10 shown as <10)"
    )
    summary.add_row("source", f"{result.source} ({result.backend}, CDM {result.cdm_version})")
    summary.add_row("persons screened", shown(result.persons))
    summary.add_row(f"listed for review (score >= {result.threshold})", shown(result.ranked.num_rows))
    summary.add_row("already diagnosed (listed apart)", shown(result.diagnosed.num_rows))
    problems = [f for f in result.resolution.features.values() if f.status != "resolved"]
    summary.add_row(
        "features not (fully) resolved", f"{len(problems)} of {len(result.resolution.features)} (unresolved.csv)"
    )
    if evaluation is not None:
        summary.add_row("recall (planted cases listed)", ratio(evaluation.found, evaluation.planted))
        summary.add_row("precision (listed that were planted)", ratio(evaluation.found, evaluation.flagged))
    summary.add_row("outputs", str(out_dir))
    out.print(summary)
