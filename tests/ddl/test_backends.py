"""The test backends' contract: an unreachable server skips, unless it is required."""

from __future__ import annotations

import pytest

from tests import _backends

NOWHERE = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"


@pytest.fixture
def unreachable(monkeypatch):
    monkeypatch.setitem(_backends.URLS, "postgresql", NOWHERE)
    monkeypatch.setattr(_backends, "_unreachable", {})


def test_an_unreachable_server_skips_with_the_reason(unreachable, monkeypatch):
    monkeypatch.delenv("MIGHUB_REQUIRE_BACKENDS", raising=False)
    with pytest.raises(pytest.skip.Exception) as info:
        _backends.admin_engine("postgresql")
    assert str(info.value).startswith(f"postgresql server not available at {NOWHERE}: ")


def test_a_required_unreachable_server_fails(unreachable, monkeypatch):
    monkeypatch.setenv("MIGHUB_REQUIRE_BACKENDS", "mysql, postgresql")
    with pytest.raises(pytest.fail.Exception) as info:
        _backends.admin_engine("postgresql")
    assert str(info.value).endswith("(required by MIGHUB_REQUIRE_BACKENDS)")
