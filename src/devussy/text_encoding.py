"""Text that can always be written as UTF-8."""

from __future__ import annotations


def well_formed(text: str) -> str:
    """``text`` with UTF-16 surrogate pairs joined into one character and lone halves replaced by U+FFFD.

    Python strings can hold surrogate halves (JSON's ``"\\ud83d"`` decodes to one); UTF-8 cannot.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text
