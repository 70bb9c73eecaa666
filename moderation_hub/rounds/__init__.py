"""Moderation rounds: sampling, allocation, blind judging, reveal and agreed outcomes."""
