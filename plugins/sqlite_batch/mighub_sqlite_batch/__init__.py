"""The move-and-copy batch strategy behind op.batch_alter_table, for mighub."""

__version__ = "0.1.0"
