"""Floor of S1 (no-op ``current`` / ``upgrade head``): import SQLAlchemy, connect,
read the version table.

    python connect.py URL VERSION_TABLE
"""

import sys

import sqlalchemy as sa

url, table = sys.argv[1:3]
engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.connect() as conn:
    print(conn.exec_driver_sql(f"SELECT version_num FROM {table}").scalars().all())
