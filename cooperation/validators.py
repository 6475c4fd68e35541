"""Validators for Polish identifiers: PESEL, NIP, REGON.

Messages are user-facing and translated; they say what is wrong, not just
"invalid", so a worker typing from a paper form can find the typo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
REGON9_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)
REGON14_WEIGHTS = (2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8)

# The month field of a PESEL encodes the century: +80 for 1800s, +0 for
# 1900s, +20 for 2000s, +40 for 2100s, +60 for 2200s.
_CENTURY_OFFSETS = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}


@dataclass(frozen=True)
class PeselInfo:
    birth_date: dt.date
    sex: str  # "F" or "M"


def pesel_checksum(first_ten: str) -> int:
    total = sum(int(d) * w for d, w in zip(first_ten, PESEL_WEIGHTS, strict=True))
    return (10 - total % 10) % 10


def pesel_decode(pesel: str) -> PeselInfo:
    """Return birth date and sex encoded in a PESEL, or raise ValidationError."""
    if len(pesel) != 11 or not (pesel.isascii() and pesel.isdigit()):
        raise ValidationError(_("PESEL must have exactly 11 digits."), code="pesel_format")
    if pesel_checksum(pesel[:10]) != int(pesel[10]):
        raise ValidationError(
            _("This PESEL has a wrong check digit. Check for a typo."), code="pesel_checksum"
        )
    year, month, day = int(pesel[0:2]), int(pesel[2:4]), int(pesel[4:6])
    offset = (month // 20) * 20
    century = _CENTURY_OFFSETS[offset]
    try:
        birth = dt.date(century + year, month - offset, day)
    except ValueError as exc:
        raise ValidationError(
            _("This PESEL does not encode a real date of birth."), code="pesel_date"
        ) from exc
    return PeselInfo(birth_date=birth, sex="F" if int(pesel[9]) % 2 == 0 else "M")


def validate_pesel(value: str) -> None:
    pesel_decode(value)


def pesel_mask(pesel: str) -> str:
    """`85010112345` -> `85******345`: enough to tell two people apart in a list."""
    if len(pesel) != 11:
        return "***********"
    return f"{pesel[:2]}******{pesel[-3:]}"


def validate_nip(value: str) -> None:
    digits = value.replace("-", "").replace(" ", "")
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise ValidationError(_("NIP must have 10 digits."), code="nip_format")
    check = sum(int(d) * w for d, w in zip(digits[:9], NIP_WEIGHTS, strict=True)) % 11
    if check == 10 or check != int(digits[9]):
        raise ValidationError(_("This NIP has a wrong check digit."), code="nip_checksum")


def validate_regon(value: str) -> None:
    digits = value.replace(" ", "")
    if len(digits) not in (9, 14) or not (digits.isascii() and digits.isdigit()):
        raise ValidationError(_("REGON must have 9 or 14 digits."), code="regon_format")
    weights = REGON9_WEIGHTS if len(digits) == 9 else REGON14_WEIGHTS
    check = sum(int(d) * w for d, w in zip(digits[:-1], weights, strict=True)) % 11 % 10
    if check != int(digits[-1]):
        raise ValidationError(_("This REGON has a wrong check digit."), code="regon_checksum")


def make_pesel(birth: dt.date, serial: int, *, female: bool) -> str:
    """Build a valid PESEL (for demo data, factories and the benchmark)."""
    offset = {1800: 80, 1900: 0, 2000: 20, 2100: 40, 2200: 60}[birth.year // 100 * 100]
    serial3 = serial % 1000
    sex_digit = (serial // 1000) % 5 * 2 + (0 if female else 1)
    first_ten = (
        f"{birth.year % 100:02d}{birth.month + offset:02d}{birth.day:02d}{serial3:03d}{sex_digit}"
    )
    return first_ten + str(pesel_checksum(first_ten))
