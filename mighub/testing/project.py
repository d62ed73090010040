"""A migration project for the conformance suite, driven through the real CLI in-process."""

from __future__ import annotations

import contextlib
import io
import textwrap
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Outcome:
    """What one ``mighub`` invocation printed, and its exit status."""

    exit_code: int
    stdout: str
    stderr: str


@dataclass
class ConformanceProject:
    """``mighub init`` output in ``root``, with revision scripts the test writes."""

    root: Path

    @classmethod
    def create(cls, root: Path, url: str) -> ConformanceProject:
        project = cls(root)
        project.ok("-q", "init", "migrations")
        project.set_url(url)
        return project

    def set_url(self, url: str) -> None:
        config = self.root / "mighub.toml"
        lines = config.read_text(encoding="utf-8").splitlines()
        lines = [f'url = "{url}"' if line.startswith("url = ") else line for line in lines]
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def run(self, *args: str) -> Outcome:
        from mighub.cli import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
        return Outcome(code, out.getvalue(), err.getvalue())

    def ok(self, *args: str) -> Outcome:
        outcome = self.run(*args)
        assert outcome.exit_code == 0, f"mighub {' '.join(args)} failed:\n{outcome.stderr}"
        return outcome

    def revision(self, rev: str, down: str | None, upgrade: str, downgrade: str) -> Path:
        """Write a revision script as ``mighub revision`` lays them out."""
        path = self.root / "migrations" / "versions" / f"{rev}_conformance.py"
        body = textwrap.dedent(
            f'''\
            """conformance {rev}

            Revision ID: {rev}
            Revises: {down}
            """

            import sqlalchemy as sa

            from mighub import op

            revision = {rev!r}
            down_revision = {down!r}
            branch_labels = None
            depends_on = None


            def upgrade():
            {{upgrade}}


            def downgrade():
            {{downgrade}}
            '''
        ).format(
            upgrade=textwrap.indent(textwrap.dedent(upgrade).strip(), "    "),
            downgrade=textwrap.indent(textwrap.dedent(downgrade).strip(), "    "),
        )
        path.write_text(body, encoding="utf-8")
        return path

    def drafted_revision(
        self, rev: str, message: str, upgrades: str, downgrades: str, imports: str = ""
    ) -> Path:
        """Write a revision from the project's ``script.py.mako``, as ``mighub revision
        --autogenerate`` does: ``upgrades`` and ``downgrades`` are rendered function bodies
        (autogenerate's ``render_python_code``), ``imports`` the lines they need."""
        from mighub.script import ScriptDirectory

        migrations = self.root / "migrations"
        script = ScriptDirectory([migrations / "versions"]).generate_revision(
            migrations / "script.py.mako",
            message,
            rev_id=rev,
            head="base",
            template_args={"upgrades": upgrades, "downgrades": downgrades, "imports": imports},
        )
        return Path(script.path)
