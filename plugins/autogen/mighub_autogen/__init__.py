"""Autogenerate for mighub: draft revision scripts from SQLAlchemy models."""

__version__ = "0.1.0"
