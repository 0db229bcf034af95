"""The guideline as data: value sets, rules, texts and sources (YAML, validated on load)."""

from cnopad.knowledge.base import KnowledgeBase, knowledge
from cnopad.knowledge.valuesets import ValueSetIndex

__all__ = ["KnowledgeBase", "ValueSetIndex", "knowledge"]
