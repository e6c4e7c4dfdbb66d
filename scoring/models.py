"""Criteria, registrations, score sheets and rankings: the next issues."""
