from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cooperation.validators import (
    make_pesel,
    pesel_checksum,
    pesel_decode,
    pesel_mask,
    validate_nip,
    validate_pesel,
    validate_regon,
)


def test_a_valid_pesel_decodes_birth_date_and_sex() -> None:
    info = pesel_decode("44051401458")  # the textbook example: 14 May 1944, male
    assert info.birth_date == dt.date(1944, 5, 14)
    assert info.sex == "M"


def test_the_month_encodes_the_century() -> None:
    pesel = make_pesel(dt.date(2004, 5, 17), 123, female=True)
    assert pesel[2:4] == "25"
    assert pesel_decode(pesel).birth_date == dt.date(2004, 5, 17)
    assert pesel_decode(pesel).sex == "F"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("4405140145", "pesel_format"),
        ("4405140145a", "pesel_format"),
        ("44051401459", "pesel_checksum"),
        ("4402300145" + str(pesel_checksum("4402300145")), "pesel_date"),  # 30 February
    ],
)
def test_an_invalid_pesel_says_what_is_wrong(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_pesel(value)
    assert exc.value.code == code


def test_pesel_mask_keeps_only_the_ends() -> None:
    assert pesel_mask("85010112345") == "85******345"


def test_nip_and_regon_checksums() -> None:
    validate_nip("526-000-12-46")
    validate_regon("012345675")
    with pytest.raises(ValidationError):
        validate_nip("5260001247")
    with pytest.raises(ValidationError):
        validate_regon("012345678")


@pytest.mark.parametrize("digits", ["²" * 11, "٣" * 11, "４４０５１４０１４５８"])
def test_digits_that_are_not_ascii_are_refused_with_the_format_message(digits: str) -> None:
    # "²".isdigit() is true and int("²") fails; Arabic-Indic and full-width digits convert.
    with pytest.raises(ValidationError) as exc:
        validate_pesel(digits)
    assert exc.value.code == "pesel_format"
    with pytest.raises(ValidationError):
        validate_nip(digits[:10])
    with pytest.raises(ValidationError):
        validate_regon(digits[:9])
