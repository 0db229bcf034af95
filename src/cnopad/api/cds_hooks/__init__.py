"""CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/): discovery, the three hooks, feedback, JWT trust."""
