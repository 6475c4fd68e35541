"""Which current offers fit a client: the place of work against the client's
municipality, and the client's recorded occupation and skills against the
offer's position, duties and requirements.

Deliberately simple and explainable: every match says why ("same
municipality", "spawacz"), so the worker judges the rest. Polish words are
compared by their stem (the word without its last letters), so "magazynier"
finds "magazynu" and "prawo jazdy" finds "prawa jazdy".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from clients.models import Client
from cooperation.http import MemberRequest
from cooperation.models import User
from cooperation.roles import CASEWORK_ROLES

from .models import JobOffer
from .selectors import current_offers_for

_WORD = re.compile(r"[^\W\d_]+")
_PHRASE_SEPARATORS = re.compile(r"[,;\n/•·]+|\s-\s")
# Words too common in offers to say anything about a fit.
_STOPWORDS = {
    "oraz",
    "lub",
    "jest",
    "przy",
    "praca",
    "pracy",
    "pracownik",
    "pracownika",
    "kurs",
    "kursy",
    "kursu",
    "doświadczenie",
    "doświadczeniem",
    "umiejętność",
    "umiejętności",
    "obsługa",
    "obsługi",
    "znajomość",
    "ukończony",
    "ukończenie",
    "kategorii",
    "kategoria",
    "zakresie",
    "roku",
    "lata",
    "years",
}
_MIN_WORD = 4


@dataclass
class Match:
    offer: JobOffer
    same_place: bool = False
    qualifications: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return 2 * self.same_place + min(len(self.qualifications), 3)

    @property
    def reasons(self) -> list[str]:
        reasons = [_("same municipality")] if self.same_place else []
        if self.qualifications:
            reasons.append(_("fits: %(what)s") % {"what": ", ".join(self.qualifications)})
        return reasons


def _stem(word: str) -> str:
    return word[: max(_MIN_WORD, len(word) - 3)]


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if len(w) >= _MIN_WORD]


def client_phrases(client: Client) -> list[tuple[str, list[str]]]:
    """(phrase as recorded, stems that must all appear) for the client's occupation and skills."""
    phrases = []
    for raw in _PHRASE_SEPARATORS.split(f"{client.occupation}\n{client.skills}"):
        phrase = raw.strip(" .:-")
        stems = [_stem(w) for w in _words(phrase) if w not in _STOPWORDS]
        if stems and phrase:
            phrases.append((phrase, stems))
    return phrases


def _client_places(client: Client) -> list[str]:
    return [p.strip().casefold() for p in (client.municipality, client.city) if len(p.strip()) >= 3]


def _same_place(places: list[str], offer: JobOffer) -> bool:
    where = offer.workplace_municipality.casefold()
    return any(place == where or re.search(rf"\b{re.escape(place)}\b", where) for place in places)


def _offer_words(offer: JobOffer) -> list[str]:
    text = " ".join((offer.position, offer.duties, offer.requirements, offer.requirements_welcome))
    return _words(text)


def match(client: Client, offer: JobOffer, phrases: list[tuple[str, list[str]]]) -> Match:
    result = Match(offer=offer, same_place=_same_place(_client_places(client), offer))
    words = _offer_words(offer)
    for phrase, stems in phrases:
        if all(any(w.startswith(stem) for w in words) for stem in stems):
            result.qualifications.append(phrase)
    return result


def offers_for_client(
    client: Client, user: User, *, today: dt.date | None = None, everything: bool = False
) -> list[Match]:
    """Current offers the user may propose, best fit first; only those that fit
    unless `everything`. One query for the offers; the rest is in memory."""
    phrases = client_phrases(client)
    matches = [match(client, offer, phrases) for offer in current_offers_for(user, today)]
    if not everything:
        matches = [m for m in matches if m.score]
    return sorted(matches, key=lambda m: (-m.score, m.offer.valid_until, m.offer.pk))


def client_panel_context(request: MemberRequest, client: Client) -> dict[str, Any] | None:
    """The box on the client's page: the three best-fitting offers (caseworkers only)."""

    membership = request.membership
    if not membership or membership.role not in CASEWORK_ROLES:
        return None
    matches = offers_for_client(client, request.user)
    return {
        "matches": matches[:3],
        "more": max(len(matches) - 3, 0),
        "proposals": client.offer_proposals.count(),
    }
