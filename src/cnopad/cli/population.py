"""Commands for population case-finding (``cnopad population generate``, ``screen`` and ``evaluate``)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

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

# The OMOP source options of ``screen`` and ``evaluate``: defined once so both commands keep the same names, help
# and checks (the defaults stay at each parameter, as Typer wants them).
_OmopOption = Annotated[
    str,
    typer.Option(
        help="A folder of Parquet/CSV tables, a DuckDB file, or postgresql://user@host/db?schema=cdm",
        callback=_LOCATION,
    ),
]
_BackendOption = Annotated[
    str | None, typer.Option(help="duckdb (default), spark or postgres; inferred from --omop when left out.")
]
_SparkMasterOption = Annotated[str, typer.Option(help="Spark master URL for --backend spark.", callback=_LOCATION)]
_MemoryLimitOption = Annotated[
    str, typer.Option(help="DuckDB memory limit, a size such as 4GB or 500MB.", callback=options.memory_size)
]


class RichProgress:
    """Draws the stages of a long run with Rich (the population package only knows the Progress protocol).

    On a terminal Rich draws live bars. Written to a file (``nohup``, a scheduler's log) Rich draws nothing, so
    once a run has lasted ``quiet_for`` seconds it writes plain lines instead: each stage with the time so far,
    and each tenth of a counted stage. A refusal in the first seconds thus stays the one line it is.
    """

    def __init__(self, progress: Progress, *, quiet_for: float = 30.0) -> None:
        self._progress = progress
        self._task: TaskID | None = None
        self._lines = not progress.console.is_terminal
        self._quiet_for = quiet_for
        self._started = time.monotonic()
        self._name, self._total, self._done, self._tenth = "", 0, 0, 1

    def _say(self, text: str) -> None:
        elapsed = time.monotonic() - self._started
        if self._lines and elapsed >= self._quiet_for:
            self._progress.console.print(f"[{elapsed:6.0f} s] {text}", markup=False, highlight=False)

    def stage(self, name: str, total: int | None = None) -> None:
        """Finish the current stage and start the next."""
        if self._task is not None:
            task = self._progress.tasks[-1]
            self._progress.update(self._task, completed=task.total or 1, total=task.total or 1)
        self._task = self._progress.add_task(name, total=total)
        self._name, self._total, self._done, self._tenth = name, total or 0, 0, 1
        self._say(name + (f" ({total:,})" if total else ""))

    def advance(self, done: int = 1) -> None:
        """Move the current stage on."""
        if self._task is not None:
            self._progress.advance(self._task, done)
        self._done += done
        if self._total and self._done * 10 >= self._tenth * self._total:
            self._say(f"{self._name}: {self._done:,} of {self._total:,}")
            while self._tenth * self._total <= self._done * 10:
                self._tenth += 1

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
    omop: _OmopOption,
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="A new or empty folder for the ranked list and the report.", callback=options.path),
    ],
    backend: _BackendOption = None,
    threshold: Annotated[
        int | None,
        typer.Option(help="Points from which a person is listed (default from the knowledge base)."),
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option(help="A truth file (person_id, kind) to report recall and precision.", callback=options.path),
    ] = None,
    spark_master: _SparkMasterOption = "local[2]",
    memory_limit: _MemoryLimitOption = "2GB",
    lang: Annotated[str, typer.Option(help="Language of the feature titles in the report: nl or en.")] = "en",
    as_of: Annotated[
        str | None, typer.Option(help="Screen as known on this date (YYYY-MM-DD): only records up to it are read.")
    ] = None,
) -> None:
    """Screen OMOP CDM data for records that may look like undiagnosed CNO: a ranked list for clinical review."""
    from cnopad.knowledge.casefinding import casefinding
    from cnopad.population import BACKENDS, SourceSpec
    from cnopad.population import screen as run_screen
    from cnopad.population.evaluation import evaluate, read_truth
    from cnopad.population.outputs import check_out, write_outputs
    from cnopad.population.privacy import ratio, shown
    from cnopad.population.timeline import parse_date

    as_of_date = parse_date("--as-of", as_of) if as_of is not None else None
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
        result = run_screen(spec, threshold=threshold, progress=shown_progress, kb=kb, as_of=as_of_date)
        evaluation = evaluate(truth_table, result.ranked, result.diagnosed) if truth_table is not None else None
        shown_progress.stage("Writing the ranked list and the report")
        generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        write_outputs(result, kb, out_dir, lang=lang, evaluation=evaluation, generated=generated)
        shown_progress.finish()
    summary = Table(
        "", "", title="Case-finding screen (a screening aid, not a diagnosis; counts below 10 shown as <10)"
    )
    summary.add_row("source", f"{result.source} ({result.backend}, CDM {result.cdm_version})")
    if result.as_of is not None:
        summary.add_row("as of", f"{result.as_of.isoformat()} (records after it not read)")
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


def _thresholds(text: str | None, default: int) -> list[int]:
    """The thresholds to report: ``4,5,6`` or ``4-8``; by default a few around the knowledge base's own."""
    if text is None:
        return list(range(max(1, default - 2), default + 5))
    try:
        if "-" in text:
            low, high = (int(x) for x in text.split("-", 1))
            values = list(range(low, high + 1))
        else:
            values = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        values = []
    if not values or min(values) < 1 or len(values) > 30:
        msg = "--thresholds"
        raise InputError(
            msg, f"{text!r} is not a list like 4,5,6 or a range like 4-8 (1 to 30 values, each at least 1)"
        )
    return values


@population_app.command("evaluate")
def evaluate_cmd(
    omop: _OmopOption,
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="A new or empty folder for the report and figures.", callback=options.path),
    ],
    start: Annotated[
        str | None, typer.Option("--from", help="First screen date (YYYY-MM-DD) of the replay over time.")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last screen date (YYYY-MM-DD) of the replay.")] = None,
    step: Annotated[str, typer.Option(help="Time between screen dates: a number and d, w, m or y (6m, 1y).")] = "6m",
    truth: Annotated[
        Path | None,
        typer.Option(
            help="A truth file (person_id, kind, optional diagnosis_date); without it, diagnosis codes.",
            callback=options.path,
        ),
    ] = None,
    thresholds: Annotated[
        str | None, typer.Option(help="Thresholds to report: 4,5,6 or 4-8 (default: a few around the default).")
    ] = None,
    diagnosed_as_truth: Annotated[
        bool,
        typer.Option(
            "--diagnosed-as-truth",
            help="Screen each diagnosed person 1, 2, 3 and 5 years before diagnosis, everyone else on the same dates.",
        ),
    ] = False,
    backend: _BackendOption = None,
    spark_master: _SparkMasterOption = "local[2]",
    memory_limit: _MemoryLimitOption = "2GB",
) -> None:
    """Replay the screen over time (recall, flags per 1,000, PPV, lead time) or before each diagnosis."""
    from cnopad.knowledge.casefinding import casefinding
    from cnopad.population import BACKENDS, SourceSpec
    from cnopad.population.before_diagnosis import before_diagnosis
    from cnopad.population.evaluate_outputs import EvaluationRun, median_text, write_evaluation
    from cnopad.population.evaluation import read_truth
    from cnopad.population.leadtime import cases_from, figures
    from cnopad.population.outputs import check_out
    from cnopad.population.privacy import ratio, shown
    from cnopad.population.replay import prepared, snapshots
    from cnopad.population.timeline import parse_date, parse_step, screen_dates

    kb = casefinding()
    default = kb.score.threshold.points
    levels = _thresholds(thresholds, default)
    if default not in levels:
        levels = sorted({*levels, default})
    if backend is not None and backend not in BACKENDS:
        msg = "--backend"
        raise InputError(msg, f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    dates = []
    if start is not None or end is not None or not diagnosed_as_truth:
        if start is None:
            msg = "--from"
            raise InputError(msg, "give the first screen date (YYYY-MM-DD), or use --diagnosed-as-truth")
        if end is None:
            msg = "--to"
            raise InputError(msg, "give the last screen date (YYYY-MM-DD)")
        first, last = parse_date("--from", start), parse_date("--to", end)
        if last < first:
            msg = "--to"
            raise InputError(msg, f"{last.isoformat()} is before --from {first.isoformat()}")
        dates = screen_dates(first, last, parse_step("--step", step))
        if len(dates) > 400:
            msg = "--step"
            raise InputError(msg, f"gives {len(dates)} screen dates; use a longer step (at most 400 dates)")
    if truth is not None and not truth.is_file():
        msg = "--truth"
        raise InputError(msg, f"{truth} is not a file")
    check_out(out_dir)
    truth_table = read_truth(truth) if truth is not None else None
    spec = SourceSpec(omop, backend=backend, spark_master=spark_master, duckdb_memory_limit=memory_limit)
    with _progress() as bar:
        shown_progress = RichProgress(bar)
        with prepared(spec, kb=kb, progress=shown_progress) as replay:
            run = EvaluationRun(
                source=replay.source,
                backend=replay.omop.backend,
                cdm_version=replay.omop.cdm_version,
                knowledge_version=kb.version,
                default_threshold=default,
                generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                with_truth=truth_table is not None,
                diagnosis_resolved=replay.diagnosis_resolved,
                step=step,
            )
            if dates:
                snaps = snapshots(replay, dates, shown_progress)
                cases = cases_from(truth_table, replay.diagnosed_first)
                run.figures, run.lead_rows, run.cases_diagnosed_before_start = figures(snaps, cases, levels)
                run.dates = [d.isoformat() for d in dates]
            if diagnosed_as_truth:
                run.before = before_diagnosis(replay, default, shown_progress)
            run.seconds = dict(replay.timings)
        shown_progress.stage("Writing the report")
        write_evaluation(run, out_dir)
        shown_progress.finish()
    _print_evaluation(run, out_dir, ratio, shown, median_text)


def _print_evaluation(run: Any, out_dir: Path, ratio: Any, shown: Any, median_text: Any) -> None:
    """The terminal summary of an evaluate run (aggregates only)."""
    title = "Case-finding evaluation (a screening aid, not a diagnosis; counts below 10 shown as <10)"
    if run.figures:
        table = Table("threshold", "cases", "found", "recall", "flagged /1,000", "PPV", "median lead time", title=title)
        for f in run.figures:
            table.add_row(
                str(f.threshold),
                shown(f.eligible),
                shown(f.found),
                ratio(f.found, f.eligible),
                f"{f.mean_flagged_per_1000:.2f}",
                ratio(f.ever_flagged_cases, f.ever_flagged) if run.with_truth else "no truth",
                median_text(f),
            )
        out.print(table)
        default = next(f for f in run.figures if f.threshold == run.default_threshold)
        out.print(f"median lead time at the default threshold {default.threshold}: {median_text(default)}")
    if run.before is not None:
        if run.before.status != "done":
            out.print(f"Diagnosed as truth: {run.before.status}.")
        else:
            table = Table("years before diagnosis", "diagnosed", "flagged", "sensitivity", "others flagged /1,000")
            for o in run.before.summary()["by_years_before_diagnosis"]:
                table.add_row(
                    str(o["years_before"]),
                    o["diagnosed_screened"],
                    o["diagnosed_flagged"],
                    o["sensitivity"],
                    o["others_flagged_per_1000"],
                )
            out.print(table)
    out.print(f"outputs: {out_dir}")
