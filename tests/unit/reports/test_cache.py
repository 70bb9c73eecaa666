"""The figures cache: each key computed once while kept, and never more than its size kept."""

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
