"""Checks across knowledge files, run once at start-up: ids that must exist, scopes that must agree.

A rule, text or task that cites an unknown statement, applies an adult statement to children (or the
reverse), routes a child to an adult-only contact, or suggests a concept without a code to write,
stops cnopad from starting with a message naming the file item.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cnopad.errors import KnowledgeBaseError
from cnopad.knowledge.statements import Scope

if TYPE_CHECKING:
    from cnopad.knowledge.base import KnowledgeBase


def check_consistency(kb: KnowledgeBase) -> None:
    """Raise KnowledgeBaseError on the first inconsistency between knowledge files."""
    problems = list(_problems(kb))
    if problems:
        msg = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        raise KnowledgeBaseError(msg)


def _problems(kb: KnowledgeBase) -> Iterable[str]:
    yield from _rule_problems(kb)
    for schedule in kb.schedules.schedules:
        where = f"knowledge/schedules.yaml: task {schedule.kind}"
        yield from _statement_problems(kb, where, schedule.statements, schedule.scope)
    for text in kb.texts.texts:
        where = f"knowledge/texts: text {text.id}"
        yield from _statement_problems(kb, where, text.statements, text.scope)
    for side_name, side, scope in (
        ("adult", kb.step_plan.adult, Scope.ADULT),
        ("child", kb.step_plan.child, Scope.CHILD),
    ):
        for key, line in (("always", side.always), *side.reasons.items(), *side.prerequisites.items()):
            yield from _statement_problems(kb, f"knowledge/step_plan.yaml: {side_name}.{key}", line.statements, scope)
    for document in kb.sources.documents.values():
        for sid in document.disclaimer.statements:
            if sid not in kb.statements:
                yield f"knowledge/sources.yaml: document {document.id}: unknown statement {sid}"
    yield from _report_term_problems(kb)
    yield from _criteria_problems(kb)
    for contact in kb.sources.contacts.values():
        yield from _statement_problems(
            kb, f"knowledge/sources.yaml: contact {contact.id}", contact.statements, contact.scope
        )


def _report_term_problems(kb: KnowledgeBase) -> Iterable[str]:
    terms = kb.report_terms
    cited = [(f"group {g.id}", sid) for g in terms.groups for sid in g.statements]
    cited += [("lesion_count", sid) for sid in terms.lesion_count.statements]
    for where, sid in cited:
        if sid not in kb.statements:
            yield f"knowledge/report_terms.yaml: {where}: unknown statement {sid}"


def _criteria_problems(kb: KnowledgeBase) -> Iterable[str]:
    path = kb.criteria.path
    where = "knowledge/diagnostic_path.yaml"
    yield from _statement_problems(kb, f"{where}: adult_notice", path.adult_notice.statements, Scope.ADULT)
    for side, steps, scope in (("adult", path.adult, Scope.ADULT), ("child", path.child, Scope.CHILD)):
        for step in steps:
            yield from _statement_problems(kb, f"{where}: {side} step {step.id}", step.statements, scope)
            for suggestion in step.suggest:
                try:
                    kb.valuesets.coding_for(suggestion.concept)
                except LookupError as exc:
                    yield f"{where}: {side} step {step.id}: suggestion {suggestion.concept}: {exc}"


def _rule_problems(kb: KnowledgeBase) -> Iterable[str]:
    sources = kb.sources
    for rule in kb.rules:
        where = f"knowledge/rules: rule {rule.id}"
        yield from _statement_problems(kb, where, rule.all_statements, rule.scope)
        if rule.source not in sources.documents and rule.source not in sources.references:
            yield f"{where}: source {rule.source!r} is neither a document nor a reference in knowledge/sources.yaml"
        for ref in rule.references:
            if ref not in sources.references:
                yield f"{where}: unknown reference {ref!r}"
        for code in rule.override_reasons:
            if code not in sources.override_reasons:
                yield f"{where}: unknown override reason {code!r}"
        for contact_id in rule.contacts:
            contact = sources.contacts.get(contact_id)
            if contact is None:
                yield f"{where}: unknown contact {contact_id!r}"
            elif contact.scope is not Scope.ANY and contact.scope is not rule.scope:
                # never route a child to the adult expertise centre or the adult patient association (CRMO caution)
                yield f"{where}: contact {contact_id!r} is for {contact.scope} patients, the rule for {rule.scope}"
        for suggestion in (*rule.suggestions, *(s for item in rule.items for s in item.suggestions)):
            try:
                kb.valuesets.coding_for(suggestion.concept)
            except LookupError as exc:
                yield f"{where}: suggestion {suggestion.id}: {exc}"


def _statement_problems(kb: KnowledgeBase, where: str, statements: tuple[str, ...], scope: Scope) -> Iterable[str]:
    for sid in statements:
        if sid not in kb.statements:
            yield f"{where}: unknown statement {sid}"
            return
    scopes = {kb.statements.by_id[s].scope for s in statements} - {Scope.ANY}
    if len(scopes) > 1:
        yield f"{where}: mixes adult and child statements ({', '.join(statements)})"
    elif scopes and scope is not scopes.pop():
        yield f"{where}: scope {scope} does not match its statements' scope"
