"""${message}

Revision ID: ${up_revision}
Revises: ${", ".join(down_revision) if isinstance(down_revision, (tuple, list)) else (down_revision or "")}
Create Date: ${create_date}

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from mighub import op
${imports if imports else ""}
# Revision identifiers, read by mighub without running this file.
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade(engine_name: str) -> None:
    """Upgrade the schema of the database named ``engine_name``."""
    globals()[f"upgrade_{engine_name}"]()


def downgrade(engine_name: str) -> None:
    """Downgrade the schema of the database named ``engine_name``."""
    globals()[f"downgrade_{engine_name}"]()

<%
    db_names = config.database_names if config is not UNDEFINED else []
%>
% for db_name in db_names:

def upgrade_${db_name}() -> None:
    ${context.get(f"{db_name}_upgrades", "pass")}


def downgrade_${db_name}() -> None:
    ${context.get(f"{db_name}_downgrades", "pass")}

% endfor
