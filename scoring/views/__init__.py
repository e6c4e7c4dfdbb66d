"""Scoring pages: the template editor (views.templates) and registrations (views.registrations)."""
