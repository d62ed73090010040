"""Fixtures for the DDL tests: real database connections, one namespace per test."""

from tests._backends import backend, connection, engine, namespace

__all__ = ["backend", "connection", "engine", "namespace"]
