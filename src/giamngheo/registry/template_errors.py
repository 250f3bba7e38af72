"""What every error code of the review import means, for the template page: the codes of a
row's errors (and ``file``), and the citizen-ID problems. ``template_doc`` shows them with the
columns; ``tests/web/registry/test_template_doc.py`` ties each to the code that writes it."""

from __future__ import annotations

from dataclasses import dataclass

from giamngheo.core.records.vocab import MAX_AGE


@dataclass(frozen=True)
class ErrorDoc:
    """One error code of a row (or of the file) and what it means."""

    code: str
    meaning_vi: str
    meaning_en: str


#: The error codes of a row (and ``file`` for a file that cannot be read as the template).
ERROR_CODES: tuple[ErrorDoc, ...] = (
    ErrorDoc(
        "file",
        "không đọc được tệp theo mẫu (không phải .xlsx/.csv, không có dòng tiêu đề có «Mã hộ»,"
        " thiếu cột bắt buộc, CSV không mã hóa UTF-8…); không dòng nào được nhận",
        "the file cannot be read as the template (not .xlsx/.csv, no heading row with"
        " 'Mã hộ', a required column missing, a CSV file not UTF-8 …); no row is taken",
    ),
    ErrorDoc(
        "cell_error",
        "ô có lỗi công thức (#REF!, #N/A…): sửa công thức hoặc nhập giá trị",
        "the cell holds a formula error (#REF!, #N/A…): fix the formula or type the value",
    ),
    ErrorDoc("missing_code", "thiếu mã hộ", "the household code is missing"),
    ErrorDoc("bad_code", "mã hộ dài quá 32 ký tự", "the household code is over 32 characters"),
    ErrorDoc(
        "duplicate_code",
        "mã hộ trùng với một dòng trước trong tệp",
        "the household code repeats an earlier row of the file",
    ),
    ErrorDoc(
        "unknown_commune",
        "thiếu mã xã và tên xã, hoặc xã không thuộc (hoặc không rõ trong) đơn vị nhập",
        "no commune code or name, or the commune is not (or not unambiguously) in the unit",
    ),
    ErrorDoc("unknown_village", "thôn không thuộc xã", "the village is not in the commune"),
    ErrorDoc("missing_head_name", "thiếu họ tên chủ hộ", "the head's name is missing"),
    ErrorDoc(
        "bad_flag",
        "ô cờ không phải 0 hoặc 1 (hoặc x, có/không)",
        "a flag cell is not 0 or 1 (or x, yes/no)",
    ),
    ErrorDoc(
        "flag_conflict",
        "cờ trái với dữ liệu khác: «Chủ hộ là nữ» khác giới tính chủ hộ; chủ hộ hoặc vợ/chồng là"
        " người dân tộc thiểu số mà hộ không đánh dấu hộ DTTS; hộ DTTS tại chỗ mà không phải"
        " hộ DTTS",
        "a flag contradicts other data: 'female head' and the head's sex; the head or spouse"
        " belongs to an ethnic minority but the household is not marked so; local indigenous"
        " but not an ethnic-minority household",
    ),
    ErrorDoc(
        "bad_review_date",
        "ngày rà soát không phải một ngày trong năm rà soát",
        "the review date is not a date in the review year",
    ),
    ErrorDoc(
        "bad_persons",
        "số nhân khẩu không phải số nguyên từ 1 đến 99",
        "the number of persons is not a whole number from 1 to 99",
    ),
    ErrorDoc(
        "bad_entry_reason",
        "lý do vào sổ không phải «Chuyển đến» hoặc «Tách hộ»",
        "the entry reason is not 'Chuyển đến' (moved in) or 'Tách hộ' (split off)",
    ),
    ErrorDoc(
        "bad_entry_date",
        "ngày vào sổ thiếu, không đọc được hoặc sau ngày rà soát",
        "the entry date is missing, unreadable or after the review date",
    ),
    ErrorDoc(
        "came_from_not_split",
        "ghi «Tách từ hộ» mà lý do vào sổ không phải «Tách hộ»",
        "'Tách từ hộ' (split from) is given but the entry reason is not 'Tách hộ' (split off)",
    ),
    ErrorDoc(
        "came_from_itself",
        "hộ ghi tách từ chính nó",
        "the household names itself as the one it split off from",
    ),
    ErrorDoc(
        "unknown_source_household",
        "hộ gốc («Tách từ hộ») không có trong sổ của xã",
        "the household it split off from is not in the commune's registry",
    ),
    ErrorDoc(
        "area_mismatch",
        "khu vực ghi trong tệp khác khu vực của xã",
        "the area in the file differs from the commune's area",
    ),
    ErrorDoc(
        "engine",
        "chuẩn nghèo từ chối dòng: thu nhập hoặc điểm thiếu hay sai dạng, chỉ số thiếu hụt trống"
        " hoặc không phải 0/1, chỉ số không thuộc chuẩn (lời nhắn nói rõ)",
        "the poverty standard rejects the row: income or score missing or malformed, an"
        " indicator blank or not 0/1, an indicator the standard does not have (the message"
        " says which)",
    ),
    ErrorDoc(
        "household_not_active",
        "hộ không còn trong sổ (đã chuyển đi, giải thể, tách hoặc nhập)",
        "the household is no longer active (moved away, dissolved, split or merged)",
    ),
    ErrorDoc(
        "approved_review",
        "hộ đã có phiếu rà soát cùng năm, cùng loại được phê duyệt với số liệu khác: phải lập"
        " phiếu điều chỉnh, phiếu đã duyệt không bị ghi đè",
        "the household has an approved review of the same year and kind with other data: make"
        " a correction, an approved review is never overwritten",
    ),
    ErrorDoc(
        "head_count",
        "hộ không có đúng một thành viên là «Chủ hộ» (hai trang)",
        "the household does not have exactly one head member (two sheets)",
    ),
    ErrorDoc(
        "head_name_mismatch",
        "họ tên chủ hộ khác tên thành viên là chủ hộ",
        "the head's name differs from the member marked as head",
    ),
    ErrorDoc(
        "persons_mismatch",
        "số nhân khẩu khác số thành viên ở trang «Thành viên»",
        "the number of persons differs from the members in the members sheet",
    ),
    ErrorDoc(
        "member_rows_invalid",
        "một số thành viên của hộ có lỗi ở trang «Thành viên»: hộ không được ghi",
        "some of the household's members have errors in the members sheet: it is not written",
    ),
    ErrorDoc(
        "unknown_household",
        "mã hộ của thành viên không có ở trang «Hộ»",
        "the member's household code is not in the households sheet",
    ),
    ErrorDoc(
        "household_invalid",
        "dòng hộ của thành viên có lỗi: thành viên không được ghi",
        "the member's household row has errors: the member is not written",
    ),
    ErrorDoc("missing_name", "thiếu họ tên thành viên", "the member's name is missing"),
    ErrorDoc("bad_sex", "giới tính không phải Nam hoặc Nữ", "the sex is not Nam or Nữ"),
    ErrorDoc("bad_birth", "ngày/năm sinh không đọc được", "unreadable date or year of birth"),
    ErrorDoc(
        "impossible_age",
        f"sinh sau năm rà soát hoặc trên {MAX_AGE} tuổi",
        f"born after the review year or over {MAX_AGE} years old",
    ),
    ErrorDoc(
        "bad_relationship",
        "quan hệ với chủ hộ không nằm trong danh sách",
        "the relationship to the head is not one of the list",
    ),
    ErrorDoc(
        "id_masked",
        "số định danh bị che không khớp thành viên nào đã lưu của hộ: ghi đủ 12 chữ số",
        "a masked ID matches no registered member of the household: write all 12 digits",
    ),
    ErrorDoc(
        "duplicate_national_id",
        "cùng số định danh ở hai dòng của tệp",
        "the same ID number is on two rows of the file",
    ),
    ErrorDoc(
        "national_id_other_household",
        "số định danh đã thuộc thành viên của một hộ khác trong sổ",
        "the ID number belongs to a member of another registered household",
    ),
)

#: The citizen-ID problems (``core.identity``), written as ``id_<code>``.
ID_ERROR_CODES: tuple[ErrorDoc, ...] = (
    ErrorDoc("id_not_digits", "số định danh có ký tự không phải chữ số", "not only digits"),
    ErrorDoc(
        "id_lost_leading_zero",
        "11 chữ số: bảng tính đã làm mất số 0 đầu (định dạng cột là văn bản)",
        "11 digits: the spreadsheet dropped the leading 0 (format the column as text)",
    ),
    ErrorDoc(
        "id_old_identity_card",
        "số chứng minh nhân dân 9 chữ số, không phải số định danh",
        "a 9-digit identity card (CMND) number, not a citizen ID",
    ),
    ErrorDoc("id_wrong_length", "không đủ 12 chữ số", "not 12 digits"),
    ErrorDoc(
        "id_unknown_province",
        "3 chữ số đầu không phải mã tỉnh",
        "the first 3 digits are not a province code",
    ),
    ErrorDoc(
        "id_sex_mismatch",
        "số định danh cho giới tính khác giới tính ghi",
        "the ID gives another sex than the recorded one",
    ),
    ErrorDoc(
        "id_birth_year_mismatch",
        "số định danh cho năm sinh khác năm sinh ghi",
        "the ID gives another year of birth than the recorded one",
    ),
    ErrorDoc(
        "id_birth_year_in_future",
        "số định danh cho năm sinh sau năm rà soát",
        "the ID gives a year of birth after the review year",
    ),
)
