"""Running migrations: env.py's context, the migration context, the version table, the lock.

Imported only by commands that touch a database (it imports SQLAlchemy).
"""
