"""Helpers shared by the tests: small FHIR builders and constants."""
