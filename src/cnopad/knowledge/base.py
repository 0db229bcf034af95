"""The loaded knowledge base: everything under ``cnopad/knowledge`` validated once, at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property

from cnopad.knowledge.criteria import CriteriaBook, load_criteria
from cnopad.knowledge.not_understood import NotUnderstoodTexts, load_not_understood
from cnopad.knowledge.report_terms import ReportTerms, report_terms
from cnopad.knowledge.rules import RuleBook, load_rules
from cnopad.knowledge.schedules import ScheduleBook, load_schedules
from cnopad.knowledge.sources import SourceBook, load_sources
from cnopad.knowledge.statements import StatementCatalog, load_statements
from cnopad.knowledge.step_plan import StepPlanWording, load_step_plan
from cnopad.knowledge.texts import TextBook, load_texts
from cnopad.knowledge.valuesets import ValueSetIndex, load_valuesets


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """All guideline knowledge the engine and the adapters use."""

    valuesets: ValueSetIndex
    statements: StatementCatalog = field(default_factory=load_statements)
    rules: RuleBook = field(default_factory=load_rules)
    schedules: ScheduleBook = field(default_factory=load_schedules)
    texts: TextBook = field(default_factory=load_texts)
    sources: SourceBook = field(default_factory=load_sources)
    step_plan: StepPlanWording = field(default_factory=load_step_plan)
    report_terms: ReportTerms = field(default_factory=report_terms)
    not_understood: NotUnderstoodTexts = field(default_factory=load_not_understood)
    criteria: CriteriaBook = field(default_factory=load_criteria)

    @cached_property  # the knowledge base is frozen: worked out once, not on every assessment
    def version(self) -> str:
        """A version string naming every knowledge file's version (shown on cards and in the audit log)."""
        return ";".join(
            (
                self.valuesets.version,
                f"rules[{self.rules.version}]",
                f"schedules@{self.schedules.version}",
                f"texts[{self.texts.version}]",
                f"sources@{self.sources.version}",
                f"step_plan@{self.step_plan.version}",
                f"report_terms@{self.report_terms.version}",
                f"not_understood@{self.not_understood.version}",
                self.criteria.version,
            )
        )


@cache
def knowledge() -> KnowledgeBase:
    """Load and validate the knowledge base (once per process); raises KnowledgeBaseError when invalid."""
    from cnopad.knowledge.consistency import check_consistency

    kb = KnowledgeBase(valuesets=load_valuesets())
    check_consistency(kb)
    return kb
