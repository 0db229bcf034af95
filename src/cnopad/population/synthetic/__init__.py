"""A synthetic OMOP CDM population with planted undiagnosed CNO cases, look-alikes, and its truth kept apart."""

from cnopad.population.synthetic.cases import PLANTED
from cnopad.population.synthetic.writer import GenerateResult, generate

__all__ = ["PLANTED", "GenerateResult", "generate"]
