"""Reading order of OCR lines (synthetic boxes): columns, tables, rotation, wrapped lines."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from nqihub.labels.layout import reading_order
from nqihub.labels.ocr import Line, fix_digits


def line(text, x0, y0, x1, y1):
    return Line(text, 0.99, [[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def rotated(lines, degrees, cx=500, cy=500):
    a = math.radians(degrees)
    out = []
    for ln in lines:
        pts = [
            [
                cx + (x - cx) * math.cos(a) - (y - cy) * math.sin(a),
                cy + (x - cx) * math.sin(a) + (y - cy) * math.cos(a),
            ]
            for x, y in ln.quad
        ]
        out.append(Line(ln.text, ln.score, pts))
    return out


NUTRITION = [
    line("营养成分表", 100, 0, 300, 30),
    line("项目", 100, 50, 160, 80),
    line("每100克", 400, 50, 520, 80),
    line("NRV%", 700, 50, 780, 80),
    line("能量", 100, 95, 160, 125),
    line("1800千焦", 400, 95, 530, 125),
    line("21%", 700, 95, 750, 125),
    line("蛋白质", 100, 140, 190, 170),
    line("5.0克", 400, 140, 480, 170),
    line("8%", 700, 140, 740, 170),
]


def test_table_rows_are_joined_with_tabs_in_row_order():
    layout = reading_order(list(reversed(NUTRITION)))
    assert layout.text.splitlines() == [
        "营养成分表",
        "项目\t每100克\tNRV%",
        "能量\t1800千焦\t21%",
        "蛋白质\t5.0克\t8%",
    ]


def test_two_columns_of_text_are_read_column_by_column():
    widths = [420, 300, 380, 250]
    left = [line(f"左栏：第{i}行的文字内容比较长一些", 0, i * 50, widths[i], i * 50 + 30) for i in range(4)]
    right = [
        line(f"右栏：第{i}行的文字内容比较长一些", 520, i * 50, 520 + widths[i], i * 50 + 30)
        for i in range(4)
    ]
    text = reading_order(right + left).text.splitlines()
    assert text == [ln.text for ln in left] + [ln.text for ln in right]


def test_a_rotated_photo_keeps_rows():
    lines = rotated(NUTRITION, 6)
    text = reading_order(lines).text.splitlines()
    assert text[2] == "能量\t1800千焦\t21%"


def test_pieces_close_together_are_joined_with_a_space():
    lines = [
        line("保质期：", 0, 0, 120, 30),
        line("12个月", 135, 0, 220, 30),
        line("净含量：500g", 0, 50, 200, 80),
    ]
    assert reading_order(lines).text == "保质期： 12个月\n净含量：500g"


def test_wrapped_lines_of_running_text_are_joined():
    lines = [
        line("配料：小麦粉、白砂糖、植物油、鸡蛋、食用", 0, 0, 1000, 30),
        line("盐、食品添加剂（碳酸氢钠）、奶粉、全蛋液", 0, 45, 1000, 75),
        line("香精。", 0, 90, 100, 120),
    ]
    layout = reading_order(lines)
    assert (
        layout.text
        == "配料：小麦粉、白砂糖、植物油、鸡蛋、食用盐、食品添加剂（碳酸氢钠）、奶粉、全蛋液香精。"
    )
    assert layout.rows == [[0, 1, 2]]


def test_no_lines():
    assert reading_order([]).text == ""


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 900),
            st.integers(0, 900),
            st.integers(5, 300),
            st.integers(5, 60),
            st.text(min_size=1, max_size=8),
        ),
        max_size=30,
    )
)
def test_every_line_is_read_exactly_once(specs):
    lines = [line(t.strip() or "x", x, y, x + w, y + h) for x, y, w, h, t in specs]
    layout = reading_order(lines)
    assert sorted(i for row in layout.rows for i in row) == list(range(len(lines)))


def test_the_letter_o_inside_numbers_is_zero():
    assert fix_digits("保质期：9O天") == "保质期：90天"
    assert fix_digits("电话：O769-22464101") == "电话：0769-22464101"
    assert fix_digits("SC1O844") == "SC10844"
    assert fix_digits("GOOD 100% Cotton") == "GOOD 100% Cotton"


def test_a_text_column_beside_the_nutrition_table_is_read_before_it():
    texts = ["产品名称：示例牌苏打饼干", "配料：小麦粉、植物油", "净含量：400克", "保质期：12个月"]
    left = [line(t, 30, 30 + i * 45, 30 + 30 * len(t), 60 + i * 45) for i, t in enumerate(texts)]
    table = [
        line(t, 800 + (i % 3) * 220, 30 + (i // 3) * 45, 880 + (i % 3) * 220, 60 + (i // 3) * 45)
        for i, t in enumerate(
            [
                "项目",
                "每100克",
                "NRV%",
                "能量",
                "1980千焦",
                "24%",
                "钠",
                "560毫克",
                "28%",
                "脂肪",
                "20.1克",
                "34%",
            ]
        )
    ]
    text = reading_order(table + left).text.splitlines()
    assert text == texts + [
        "项目\t每100克\tNRV%",
        "能量\t1980千焦\t24%",
        "钠\t560毫克\t28%",
        "脂肪\t20.1克\t34%",
    ]


def test_a_wrapped_line_whose_rest_holds_the_next_caption_is_joined():
    lines = [
        line("生产许可证编号：SC10844190002126,厂名：山东范府食品有", 0, 0, 1000, 30),
        line("限公司，厂址：山东省菏泽市高新区万福办事处兰州路1113号", 0, 45, 1000, 75),
        line("保质期：90天", 0, 90, 200, 120),
    ]
    assert reading_order(lines).text.splitlines() == [
        "生产许可证编号：SC10844190002126,厂名：山东范府食品有限公司，厂址：山东省菏泽市高新区万福办事处兰州路1113号",
        "保质期：90天",
    ]


def test_a_caption_glued_to_its_value_gets_its_colon_back():
    from nqihub.labels.photo import restore_captions

    text = (
        "品名小麻花(海苔味)\n配料小麦粉、植物油\n配料表：小麦粉\n营养成分表\n项目\t每100克\tNRV%\n净含量500克"
    )
    assert restore_captions("prepackaged_food", text).splitlines() == [
        "品名：小麻花(海苔味)",
        "配料：小麦粉、植物油",
        "配料表：小麦粉",
        "营养成分表",
        "项目\t每100克\tNRV%",
        "净含量500克",
    ]


@settings(max_examples=80, deadline=None)
@given(
    st.text(alphabet="品名配料表净含量成分号型：:\t\n 0123456789abc小麦粉", max_size=60),
    st.sampled_from(["textile", "prepackaged_food"]),
)
def test_restoring_captions_only_adds_colons(text, category):
    from nqihub.labels.photo import restore_captions

    out = restore_captions(category, text)
    assert len(out) >= len(text)
    it = iter(out)
    assert all(any(ch == c for c in it) for ch in text)  # the text is a subsequence of the result
    assert set(out) - set(text) <= {"："}
