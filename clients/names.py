"""Names as search compares them: lowercase, without Polish (or other) diacritics."""

from __future__ import annotations

import unicodedata

# Letters whose stroke is not a combining mark, so NFKD leaves them alone
# ("ł" would otherwise never match "l").
_STROKES = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O"})


def fold(text: str) -> str:
    """ "Świątkowska Łucja" -> "swiatkowska lucja": what a search box should not care about."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_STROKES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_name(first_name: str, last_name: str) -> str:
    """The stored, folded form of a client's name (`Client.search_name`)."""
    return fold(f"{last_name} {first_name}").strip()
