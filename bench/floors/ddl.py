"""Floor of S6: the same DDL through plain SQLAlchemy, in one transaction: each
table's CREATE TABLE and CREATE INDEX, in the order the revisions create them.

    python ddl.py URL MODELS_DIR
"""

import sys

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

url, models_dir = sys.argv[1:3]
sys.path.insert(0, models_dir)
from bench_models import metadata  # noqa: E402

engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.begin() as conn:
    for table in metadata.tables.values():
        conn.execute(CreateTable(table))
        for index in table.indexes:
            conn.execute(CreateIndex(index))
