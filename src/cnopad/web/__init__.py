"""Jinja2 + HTMX pages for clinicians (server-rendered, Dutch by default, English complete)."""
