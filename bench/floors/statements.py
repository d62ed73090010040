"""Floor of an online upgrade: execute the same statements directly through
SQLAlchemy, in one transaction.

    python statements.py URL STATEMENTS.json
"""

import json
import sys

import sqlalchemy as sa

url, path = sys.argv[1:3]
with open(path, encoding="utf-8") as f:
    statements = json.load(f)
engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.begin() as conn:
    for statement in statements:
        conn.exec_driver_sql(statement)
