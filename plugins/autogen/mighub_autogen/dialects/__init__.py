"""Spelling rules for the databases the round trip is tested on: SQLite, PostgreSQL, MariaDB/MySQL.

The PostgreSQL and MariaDB/MySQL modules register type synonyms, normalisers and the odd comparator for
its dialect through the same ``mighub_register_comparators`` registry a
dialect plugin uses. They live here until the dialect plugins take them over;
registering the same names there with ``replace=True`` supersedes them. The SQLite module is a faster reader, used by
:mod:`mighub_autogen.reflect` (SQLite needs no spelling rules: it gives back
types and defaults as they were written).
"""
