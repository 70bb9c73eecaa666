"""The figures cache: each key computed once while kept, never more than its size kept in a process, and kept under
a version naming both the data and the code that computed it."""

import pytest

from moderation_hub.reports import cache
from moderation_hub.reports.cache import LruCache


def _counting(computed: list[str], value: str):
    def compute() -> str:
        computed.append(value)
        return value

    return compute


def test_a_kept_value_is_not_computed_again() -> None:
    cache: LruCache[str] = LruCache(2)
    computed: list[str] = []
    assert cache.get_or_compute("a", _counting(computed, "A")) == "A"
    assert cache.get_or_compute("a", _counting(computed, "other")) == "A"
    assert computed == ["A"]


def test_the_least_recently_used_value_makes_room() -> None:
    cache: LruCache[str] = LruCache(2)
    computed: list[str] = []
    for key in ("a", "b", "a", "c"):  # "a" used again, so "b" is the one to go when "c" arrives
        cache.get_or_compute(key, _counting(computed, key))
    for key in ("a", "c", "b"):
        cache.get_or_compute(key, _counting(computed, key))
    assert computed == ["a", "b", "c", "b"]


def test_the_version_names_the_data_and_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures computed by other code (before a deploy) are never read: the version changes with the code's."""
    data_version = ((12, 78, 12, None), (24, 300, 48, None), ((1, "Alder"),), ((7, "Mo Derr"),))
    version = cache.version_of(data_version)
    assert len(version) == 64
    assert cache.version_of(data_version) == version
    assert cache.version_of((*data_version[:3], ((7, "Morgan Derr"),))) != version
    monkeypatch.setattr(cache, "code_version", lambda: "another deploy")
    assert cache.version_of(data_version) != version
