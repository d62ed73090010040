"""The batch plugin's hook implementations, found through the ``mighub`` entry point.

The move-and-copy strategy behind ``op.batch_alter_table`` arrives with the
batch issue, through the ``mighub_batch_strategy`` hook; until then this
plugin loads and registers nothing, and ``op.batch_alter_table`` is not
available.
"""
