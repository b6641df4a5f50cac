"""Devussy: turn a project idea into a phased, testable development plan."""

__version__ = "0.1.0"
