"""As-of screens read only what was known on the date; a replay finds a case before its diagnosis and
measures the lead time exactly (small hand-made CDMs, real DuckDB)."""

from __future__ import annotations

from datetime import date

from cnopad.population import screen_tables
from cnopad.population.backends import open_arrow
from cnopad.population.leadtime import cases_from, figures
from cnopad.population.replay import prepared_omop, snapshots
from cnopad.population.source import check_opened
from cnopad.population.timeline import parse_step, screen_dates
from support.omop import OmopBuilder


def adult_with_cno_diagnosed_in_2019() -> OmopBuilder:
    """Person 1: chest wall complaints from 2015, a Tietze label in 2016, the diagnosis code M86.3 in 2019."""
    b = OmopBuilder().person(1, date(1975, 3, 1)).person(2, date(1980, 1, 1))
    b.condition(1, date(2015, 2, 1), "ICPC2 L04").condition(1, date(2015, 9, 1), "ICPC2 L04")
    b.condition(1, date(2016, 3, 1), "ICD10 M94.0")
    b.condition(1, date(2019, 5, 1), "ICD10 M86.3")
    b.condition(2, date(2012, 1, 1), "ICPC2 L04")
    return b


def test_a_screen_as_of_a_date_ignores_every_record_after_it() -> None:
    tables = adult_with_cno_diagnosed_in_2019().tables()
    early = screen_tables(tables, as_of=date(2015, 6, 1))
    later = screen_tables(tables, as_of=date(2016, 6, 1))
    diagnosed = screen_tables(tables, as_of=date(2019, 6, 1))
    score = {r["person_id"]: r["score"] for r in early.scores.to_pylist()}
    assert score[1] == 1  # one complaint known: the recurrence and the Tietze label come later
    assert later.ranked.column("person_id").to_pylist() == [1]  # 1 + 3 + 2 = 6 points
    assert diagnosed.ranked.num_rows == 0
    assert diagnosed.diagnosed.column("person_id").to_pylist() == [1]


def test_a_drug_course_running_on_the_as_of_date_counts_only_its_days_so_far() -> None:
    b = OmopBuilder().person(1, date(1975, 3, 1))
    b.condition(1, date(2015, 1, 1), "ICPC2 L04")
    b.drug(1, date(2015, 1, 1), "RxNorm 5640", 120, ancestors=("ATC M01A",))
    full = screen_tables(b.tables(), as_of=date(2015, 12, 31)).scores.to_pylist()[0]
    partial = screen_tables(b.tables(), as_of=date(2015, 2, 1)).scores.to_pylist()[0]
    assert full["adult_long_term_nsaid"] is True
    assert partial["adult_long_term_nsaid"] is False


def test_persons_born_after_the_as_of_date_are_not_screened_yet() -> None:
    b = adult_with_cno_diagnosed_in_2019().person(3, date(2014, 1, 1))
    assert screen_tables(b.tables(), as_of=date(2013, 1, 1)).persons == 2
    assert screen_tables(b.tables(), as_of=date(2015, 1, 1)).persons == 3


def test_a_yearly_replay_flags_the_case_in_2017_and_reports_its_lead_time_to_the_diagnosis() -> None:
    with check_opened(open_arrow(adult_with_cno_diagnosed_in_2019().tables())) as omop, prepared_omop(omop) as replay:
        dates = screen_dates(date(2014, 1, 1), date(2021, 1, 1), parse_step("--step", "1y"))
        snaps = snapshots(replay, dates)
        cases = cases_from(None, replay.diagnosed_first)
        (six,), rows, early = figures(snaps, cases, [6])
    assert [(c.person_id, c.diagnosis) for c in cases] == [(1, date(2019, 5, 1))]
    assert early == 0
    assert (six.eligible, six.found) == (1, 1)
    row = rows.to_pylist()[0]
    assert row["first_flagged"] == date(2017, 1, 1)
    assert row["lead_days"] == (date(2019, 5, 1) - date(2017, 1, 1)).days
    assert six.ever_flagged == 1
    # after the diagnosis code the person is never listed again
    assert all(1 not in s.scores.column("person_id").to_pylist() for s in snaps if s.as_of >= date(2019, 5, 1))


def test_a_diagnosed_person_is_flagged_three_years_before_the_diagnosis_but_not_five() -> None:
    from cnopad.population.before_diagnosis import before_diagnosis

    b = adult_with_cno_diagnosed_in_2019().person(3, date(2016, 1, 1))
    with check_opened(open_arrow(b.tables())) as omop, prepared_omop(omop) as replay:
        study = before_diagnosis(replay, 6)
    assert study.status == "done" and study.diagnosed == 1
    by_years = {o.years: o for o in study.offsets}
    assert (by_years[1].screened, by_years[1].flagged) == (1, 1)  # as of 2018-05-01: 1 + 3 + 2 points
    assert (by_years[3].screened, by_years[3].flagged) == (1, 1)  # as of 2016-05-01: the label came in March
    assert (by_years[5].screened, by_years[5].flagged) == (1, 0)  # as of 2014-05-01: nothing recorded yet
    # the others on the same (half-year) dates: person 2, and person 3 once born; never the diagnosed one
    assert by_years[1].others_screened == 2 and by_years[1].others_flagged == 0
    assert by_years[5].others_screened == 1
