"""Testing tools for plugin authors: a dialect conformance suite and the pytest plugin it needs.

A dialect plugin proves itself against a real database in three steps
(docs/plugins.md walks through them):

1. install the plugin (``pip install -e .``): the suite tests the plugins
   that are installed, as users get them;
2. describe the database in a ``mighub_target`` fixture, a
   :class:`DialectTarget`: its dialect, how to make an empty database for
   each test, and what it cannot do in place;
3. ``from mighub.testing.suite import *`` in a test module.

The pytest plugin (:mod:`mighub.testing.plugin`) is registered through the
``pytest11`` entry point of the mighub distribution, so its fixtures are
there whenever mighub is installed; it adds fixtures only, all named
``mighub_*``, and changes nothing else in a test session.

Importing this package does not import SQLAlchemy.
"""

from __future__ import annotations

from mighub.testing.target import FEATURES, DialectTarget, server_databases, sqlite_databases

__all__ = ["FEATURES", "DialectTarget", "server_databases", "sqlite_databases"]
