"""Moderation rounds: sampling, allocation, blind judging, reveal and agreed outcomes."""

# Counting each round's changes is a hook on every session's flush: registered as soon as any of rounds is imported.
from moderation_hub.rounds import changes  # noqa: F401
