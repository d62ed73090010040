"""Shared fixtures: run the CLI in-process with a clean environment and working directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mighub.cli import main


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No MIGHUB_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        keep = name.startswith("MIGHUB_TEST_") or name == "MIGHUB_REQUIRE_BACKENDS"
        if name.startswith("MIGHUB_") and not keep:
            monkeypatch.delenv(name)
    yield


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory that is the current directory for the test."""
    directory = tmp_path / "project"
    directory.mkdir()
    monkeypatch.chdir(directory)
    return directory


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``mighub ARGS`` in-process through the real entry point (fresh plugin host)."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return invoke
