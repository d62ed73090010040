"""How mighub connects to each database and runs your revision scripts on all of them.

Each revision script has upgrade_NAME() / downgrade_NAME() per database named
in the configuration's [databases.NAME] tables; with 'mighub -n NAME' only
that database is migrated. This file is yours to edit. It does not configure
logging, so your application's logging is left as it is.
"""

from sqlalchemy import create_engine, pool

from mighub import context

config = context.config

# Each database's MetaData, for autogenerate, keyed by database name:
#     from myapp import models
#     target_metadata = {"engine1": models.Base1.metadata, "engine2": models.Base2.metadata}
target_metadata: dict = {}


def selected_databases() -> list[str]:
    return [config.name] if config.name else config.database_names


def run_migrations_offline() -> None:
    """Write the SQL for each database, one after the other, each under a header comment."""
    for name in selected_databases():
        context.configure(
            url=config.url_for(name),
            target_metadata=target_metadata.get(name),
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
            upgrade_token=f"{name}_upgrades",
            downgrade_token=f"{name}_downgrades",
        )
        context.static_output(f"-- database: {name}")
        with context.begin_transaction():
            context.run_migrations(engine_name=name)


def run_migrations_online() -> None:
    """Migrate each database on its own connection and transaction."""
    for name in selected_databases():
        engine = create_engine(config.url_for(name), poolclass=pool.NullPool)
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata.get(name),
                upgrade_token=f"{name}_upgrades",
                downgrade_token=f"{name}_downgrades",
            )
            with context.begin_transaction():
                context.run_migrations(engine_name=name)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
