"""How mighub connects to the database and runs your revision scripts.

This file is yours: import your models' metadata for autogenerate, build the
engine your way, add setup. mighub runs it for every command that needs a
database. It does not configure logging, so your application's logging is
left as it is.
"""

from sqlalchemy import create_engine, pool

from mighub import context

config = context.config

# Your models' MetaData, for 'mighub revision --autogenerate' and 'mighub check':
#     from myapp.models import Base
#     target_metadata = Base.metadata
target_metadata = None


def run_migrations_offline() -> None:
    """Write the SQL instead of running it ('mighub upgrade head --sql')."""
    context.configure(
        url=config.require_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Connect to the database and migrate it."""
    engine = create_engine(config.require_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
