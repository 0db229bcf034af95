"""Population case-finding on OMOP CDM data (Ibis: DuckDB, PySpark, PostgreSQL) and a synthetic population generator."""
