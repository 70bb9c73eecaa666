"""Exceptions written for a log without their messages.

A message can quote what a person typed or what a file held (a driver's DataError quotes the value, an
IntegrityError the row, a renderer's error the text it choked on); the types and frames are enough to find
the fault. Standard library only: the upload sandbox's children use it and import no more than they need.
"""

import traceback


def value_free_traceback(error: BaseException) -> str:
    """The frames and type of each exception in the chain, oldest first as Python prints them; no messages."""
    return "".join(line for link in reversed(_chain(error)) for line in _frames_and_type(link))


def _chain(error: BaseException) -> list[BaseException]:
    """The exception and the ones it was raised from or while handling, newest first."""
    chain = [error]
    while (cause := _cause(chain[-1])) is not None and cause not in chain:
        chain.append(cause)
    return chain


def _cause(error: BaseException) -> BaseException | None:
    return error.__cause__ or (None if error.__suppress_context__ else error.__context__)


def _frames_and_type(error: BaseException) -> list[str]:
    kind = type(error)
    return [*traceback.format_tb(error.__traceback__), f"{kind.__module__}.{kind.__qualname__}\n"]
