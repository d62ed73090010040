"""Floor of autogenerate and ``check`` (S4): import the models, then reflect every
table of the database with SQLAlchemy's batched inspector (``get_multi_*``).

    python reflect.py URL MODELS_DIR
"""

import sys

import sqlalchemy as sa

url, models_dir = sys.argv[1:3]
sys.path.insert(0, models_dir)
import bench_models  # noqa: E402

engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.connect() as conn:
    insp = sa.inspect(conn)
    columns = insp.get_multi_columns()
    insp.get_multi_pk_constraint()
    insp.get_multi_foreign_keys()
    insp.get_multi_indexes()
    insp.get_multi_unique_constraints()
print(len(columns), "tables in the database,", len(bench_models.metadata.tables), "in the models")
