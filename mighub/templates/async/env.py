"""How mighub connects to the database (through an async engine) and runs your revision scripts.

This file is yours: import your models' metadata for autogenerate, build the
engine your way, add setup. It does not configure logging, so your
application's logging is left as it is.
"""

import asyncio

from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

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


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """Connect with an async engine and run the migrations on its synchronous side."""
    engine = create_async_engine(config.require_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


def run_migrations_online() -> None:
    asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
