"""Printable documents: the care plan (PDF) and the patient and parent leaflets (page and PDF)."""
