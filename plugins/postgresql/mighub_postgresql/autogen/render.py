"""Operation objects as the Python source of ``op.<name>(...)`` calls, for revision scripts.

Each renderer is ``function(autogen_context, operation) -> str`` and adds
the imports its text needs to ``autogen_context.imports`` (a set of import
lines), so a rendered script never names something it did not import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import conv

from mighub_postgresql import ops

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import ExcludeConstraint


def _call(name: str, *args: Any, **kw: Any) -> str:
    parts = [repr(a) for a in args]
    parts += [f"{key}={value!r}" for key, value in kw.items() if value is not None]
    return f"op.{name}({', '.join(parts)})"


class _Source(str):
    """Text that ``repr()`` leaves as it is: a piece of Python already written."""

    def __repr__(self) -> str:
        return str(self)


def _sql(value: Any) -> Any:
    """An SQL expression as the string an operation accepts for it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, sa.Column):
        return value.name
    if isinstance(value, sa.sql.elements.TextClause):
        return value.text
    from sqlalchemy.dialects import postgresql

    return str(
        value.compile(
            dialect=postgresql.dialect(),
            compile_kwargs={"literal_binds": True, "include_table": False},
        )
    )


def _type(context: Any, type_: Any) -> Any:
    if type_ is None:
        return None
    if isinstance(type_, type):
        type_ = type_()
    context.imports.add("import sqlalchemy as sa")
    return _Source(f"sa.{type(type_).__name__}()")


def render_create_enum(context: Any, op: ops.CreateEnumOp) -> str:
    return _call("create_enum", op.name, list(op.values), schema=op.schema)


def render_drop_enum(context: Any, op: ops.DropEnumOp) -> str:
    return _call(
        "drop_enum", op.name, schema=op.schema, if_exists=op.if_exists or None, values=op.values
    )


def render_add_enum_value(context: Any, op: ops.AddEnumValueOp) -> str:
    return _call(
        "add_enum_value",
        op.name,
        op.value,
        schema=op.schema,
        before=op.before,
        after=op.after,
        if_not_exists=op.if_not_exists or None,
    )


def render_drop_enum_value(context: Any, op: ops.DropEnumValueOp) -> str:
    return _call(
        "drop_enum_value", op.name, op.value, schema=op.schema, before=op.before, after=op.after
    )


def render_rename_enum_value(context: Any, op: ops.RenameEnumValueOp) -> str:
    return _call("rename_enum_value", op.name, op.old_value, op.new_value, schema=op.schema)


def render_rename_enum(context: Any, op: ops.RenameEnumOp) -> str:
    return _call("rename_enum", op.name, op.new_name, schema=op.schema)


def render_create_sequence(context: Any, op: ops.CreateSequenceOp) -> str:
    options = dict(op.options)
    if "data_type" in options:
        options["data_type"] = _type(context, options["data_type"])
    return _call(
        "create_sequence",
        op.sequence_name,
        schema=op.schema,
        if_not_exists=op.if_not_exists or None,
        **options,
    )


def render_drop_sequence(context: Any, op: ops.DropSequenceOp) -> str:
    return _call(
        "drop_sequence", op.sequence_name, schema=op.schema, if_exists=op.if_exists or None
    )


def render_alter_sequence(context: Any, op: ops.AlterSequenceOp) -> str:
    changes = {
        key: (_type(context, value) if key == "data_type" else value)
        for key, value in op.changes.items()
    }
    existing = {
        key: (_type(context, value) if key == "data_type" else value)
        for key, value in op.existing.items()
    }
    # None is a real value here ("NO MINVALUE"), so it is written out
    parts = [repr(op.sequence_name)]
    if op.schema is not None:
        parts.append(f"schema={op.schema!r}")
    parts += [f"{key}={value!r}" for key, value in changes.items()]
    if existing:
        parts.append(f"existing={existing!r}")
    return f"op.alter_sequence({', '.join(parts)})"


def render_create_exclude_constraint(context: Any, op: ops.CreateExcludeConstraintOp) -> str:
    elements = [(_sql(expression), operator) for expression, operator in op.elements]
    kw = {key: value for key, value in op.kw.items()}
    if "where" in kw:
        kw["where"] = _sql(kw["where"])
    parts = [repr(op.constraint_name), repr(op.table_name), *(repr(e) for e in elements)]
    if op.schema is not None:
        parts.append(f"schema={op.schema!r}")
    parts += [f"{key}={value!r}" for key, value in sorted(kw.items()) if value is not None]
    return f"op.create_exclude_constraint({', '.join(parts)})"


def _constraint_name(context: Any, name: Any) -> str:
    """A name a naming convention made as ``op.f('name')`` (final); others as written."""
    if isinstance(name, conv):
        return f"{getattr(context, 'op_prefix', 'op.')}f({str(name)!r})"
    return repr(name)


def render_exclude_constraint(context: Any, constraint: ExcludeConstraint) -> str:
    """An exclusion constraint inside ``create_table``: ``postgresql.ExcludeConstraint(...)``.

    Column elements are written by name; expressions and the ``where``
    predicate as ``sa.text()`` of their SQL, so the script holds no model
    object.
    """
    context.imports.add("import sqlalchemy as sa")
    context.imports.add("from sqlalchemy.dialects import postgresql")
    parts = []
    for expression, operator in ops.CreateExcludeConstraintOp.from_constraint(constraint).elements:
        if isinstance(expression, str):
            element = repr(expression)
        else:
            element = f"sa.text({_sql(expression)!r})"
        parts.append(f"({element}, {operator!r})")
    if constraint.name is not None:
        parts.append(f"name={_constraint_name(context, constraint.name)}")
    where = getattr(constraint, "where", None)
    if where is not None:
        parts.append(f"where=sa.text({_sql(where)!r})")
    for key in ("using", "deferrable", "initially"):
        value = getattr(constraint, key, None)
        if value is not None:
            parts.append(f"{key}={value!r}")
    if constraint.ops:
        parts.append(f"ops={dict(constraint.ops)!r}")
    return f"postgresql.ExcludeConstraint({', '.join(parts)})"


RENDERERS = {
    ops.CreateEnumOp: render_create_enum,
    ops.DropEnumOp: render_drop_enum,
    ops.AddEnumValueOp: render_add_enum_value,
    ops.DropEnumValueOp: render_drop_enum_value,
    ops.RenameEnumValueOp: render_rename_enum_value,
    ops.RenameEnumOp: render_rename_enum,
    ops.CreateSequenceOp: render_create_sequence,
    ops.DropSequenceOp: render_drop_sequence,
    ops.AlterSequenceOp: render_alter_sequence,
    ops.CreateExcludeConstraintOp: render_create_exclude_constraint,
    # Named, not imported: that module loads SQLAlchemy's whole PostgreSQL dialect, which
    # autogenerate against another database must not pay for.
    "sqlalchemy.dialects.postgresql.ext:ExcludeConstraint": render_exclude_constraint,
}
"""Operation (or, inside ``create_table``, constraint) class -> renderer, as registered."""
