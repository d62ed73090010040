"""Schema readers autogen itself provides.

:mod:`.sqlite` is the schema reader this plugin registers for SQLite, the
kernel's default database (``registry.register_reader``); SQLite needs no
spelling rules, since it gives types and defaults back as they were
written. What PostgreSQL and MariaDB/MySQL need (type synonyms,
normalisers, comparators, and the MariaDB/MySQL schema reader) belongs to
their dialect plugins, which register it through
``mighub_register_comparators``.
"""
