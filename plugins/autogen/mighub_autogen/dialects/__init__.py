"""Readers autogen uses for some dialects.

:mod:`.sqlite` is a faster reader used by :mod:`mighub_autogen.reflect`;
SQLite needs no spelling rules, since it gives types and defaults back as
they were written. The spelling rules of PostgreSQL and MariaDB/MySQL
(type synonyms, normalisers, their own comparators) belong to their dialect
plugins, which register them through ``mighub_register_comparators``.
"""
