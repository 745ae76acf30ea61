"""GB 32100-2015 unified social credit codes: format and check character."""

import pytest

from kechuang.engine import uscc


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",
        "91110000802100433B",
        "91320623MA0000001" + uscc.check_char("91320623MA0000001"),
    ],
)
def test_known_good_codes(code):
    assert uscc.is_valid(code)
    assert uscc.problem(code) is None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y44", "统一社会信用代码校验位不符（应为3）"),
        ("91350100M000100Y4", "统一社会信用代码应为18位，实为17位"),
        ("91350100M000100Y433", "统一社会信用代码应为18位，实为19位"),
        ("91350100M000I00Y43", "统一社会信用代码含非法字符：I"),
        ("91350100m000100y43", "统一社会信用代码含非法字符：my"),
        ("", "统一社会信用代码为空"),
        (None, "统一社会信用代码为空"),
    ],
)
def test_bad_codes_say_what_is_wrong(code, message):
    assert not uscc.is_valid(code)
    assert uscc.problem(code) == message


def test_check_char_matches_the_sql_macro(tmp_path):
    from fixtures import firm, write_warehouse

    from kechuang.engine.warehouse import Warehouse

    wh = Warehouse(write_warehouse(tmp_path / "d", enterprises=[firm(1)]))
    codes = [
        "91350100M000100Y43",
        "91350100M000100Y44",
        "91110000802100433B",
        "9111000080210043",
        "91110000802100433b",
    ]
    got = [wh.con.execute("select uscc_check_ok($c)", {"c": c}).fetchone()[0] for c in codes]
    assert got == [uscc.is_valid(c) for c in codes] == [True, False, True, False, False]
