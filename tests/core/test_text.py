"""``fold`` and ``unit_name_key``: the differences real tables contain must vanish."""

from __future__ import annotations

import unicodedata

import pytest

from giamngheo.core.text import fold, unit_name_key


def test_fold_lowercases_strips_diacritics_and_d_bar() -> None:
    assert fold("ĐẮK ANG") == "dak ang"
    assert fold("Đắk Ang") == "dak ang"
    assert fold("Bờ Y") == "bo y"
    assert fold("Nguyễn Thị Hường") == "nguyen thi huong"


def test_fold_nfc_and_nfd_are_equal() -> None:
    nfc = unicodedata.normalize("NFC", "Xã Đắk Dục")
    nfd = unicodedata.normalize("NFD", "Xã Đắk Dục")
    assert nfc != nfd
    assert fold(nfc) == fold(nfd) == "xa dak duc"


@pytest.mark.parametrize("variant", ["Đăk", "Đắk", "Đak", "ĐĂK", "đắk", "dak", "DAK"])
def test_fold_dak_spellings(variant: str) -> None:
    assert fold(variant) == "dak"


def test_fold_collapses_spaces() -> None:
    assert fold("  Xã \t Đắk   Ang \n") == "xa dak ang"
    assert fold("Sa\u00a0Loong") == "sa loong"  # no-break space from Word


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Xã Đắk Ang", "dak ang"),
        ("xã đăk ang", "dak ang"),
        ("ĐĂK ANG", "dak ang"),
        ("  Xã   Đắk  Ang ", "dak ang"),
        (unicodedata.normalize("NFD", "Xã Đắk Ang"), "dak ang"),
        ("Thị trấn Plei Kần", "plei kan"),
        ("Thị  Trấn  Plei Kần", "plei kan"),
        ("TT. Plei Kần", "plei kan"),
        ("TT Plei Kần", "plei kan"),
        ("Plei Kần", "plei kan"),
        ("Phường Hoàn Kiếm", "hoan kiem"),
        ("Huyện Ngọc Hồi", "ngoc hoi"),
        ("Tỉnh Kon Tum", "kon tum"),
        ("Thành phố Hà Nội", "ha noi"),
        ("Thị xã Gia Nghĩa", "gia nghia"),
        ("Đặc khu Phú Quốc", "phu quoc"),
        ("Đắk-Ang", "dak ang"),
    ],
)
def test_unit_name_key_drops_kind_and_folds(typed: str, key: str) -> None:
    assert unit_name_key(typed) == key


def test_unit_name_key_keeps_a_lone_kind_word() -> None:
    # Nothing after the prefix: the word is the name, not a prefix.
    assert unit_name_key("Xã") == "xa"


def test_unit_name_key_strips_one_prefix_only() -> None:
    # "Xã Tịnh Hòa": the kind is "Xã"; "Tịnh" is part of the name and stays.
    assert unit_name_key("Xã Tịnh Hòa") == "tinh hoa"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Tịnh Hòa", "tinh hoa"),  # Tịnh (dot below) is a name, Tỉnh (hook) the kind
        ("Xã Tịnh Hòa", "tinh hoa"),
        ("Quan Hóa", "quan hoa"),  # written with diacritics, "Quan" is not "Quận"
        ("Huyện Quan Hóa", "quan hoa"),
        ("Phường Phương Liệt", "phuong liet"),
        ("xa dak ang", "dak ang"),  # no diacritics anywhere: the folded kind is dropped
        ("Xa Dak Ang", "dak ang"),
    ],
)
def test_unit_name_key_drops_only_a_real_kind(typed: str, key: str) -> None:
    assert unit_name_key(typed) == key


def test_fold_icelandic_eth_is_d() -> None:
    assert fold("\u00d0ắk Ang") == fold("Đắk Ang") == "dak ang"
