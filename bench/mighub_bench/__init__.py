"""mighub's benchmark suite: the same scenarios run by mighub and by Alembic.

``python bench/run.py`` is the entry point; bench/README.md describes the
method. This package only uses the standard library: everything that needs
SQLAlchemy, a driver or matplotlib runs as a subprocess in a virtual
environment that the bench builds under ``bench/.work/venvs``.
"""
