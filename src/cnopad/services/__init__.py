"""Use cases: one plain function each, working through a unit of work."""
