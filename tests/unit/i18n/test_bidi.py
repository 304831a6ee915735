"""Left-to-right runs in Arabic, Farsi and Pashto messages are isolated; HTML stays intact."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n.bidi import LRI, PDI, RLM, isolate_ltr, rtl_message
from bot.i18n.formatting import format_date


def iso(text: str) -> str:
    return f"{LRI}{text}{PDI}"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # Arabic: phone numbers, one with a plus sign, and a free number in groups
        ("اتصل على 116 016 مجانًا", f"اتصل على {iso('116 016')} مجانًا"),
        ("الهاتف: +49 231 123456", f"الهاتف: {iso('+49 231 123456')}"),
        (
            "رقم مجاني 0800 111 0 111 على مدار الساعة",
            f"رقم مجاني {iso('0800 111 0 111')} على مدار الساعة",
        ),
        # Farsi: opening hours, a date, a Latin name
        ("ساعت کاری 09:00–17:00", f"ساعت کاری {iso('09:00–17:00')}"),
        ("تا 29.03.2026 به BAMF بروید", f"تا {iso('29.03.2026')} به {iso('BAMF')} بروید"),
        # Pashto: a two-word Latin name stays in one piece, the full stop stays Pashto's
        ("Jobcenter Dortmund ته لاړ شئ.", f"{iso('Jobcenter Dortmund')} ته لاړ شئ."),
        ("د Jobcenter Dortmund دفتر", f"د {iso('Jobcenter Dortmund')} دفتر"),
        # URL and e-mail address; a URL may end with a slash
        ("راجع https://www.bamf.de/DE/ للمزيد", f"راجع {iso('https://www.bamf.de/DE/')} للمزيد"),
        ("اكتب إلى beratung@example.org اليوم", f"اكتب إلى {iso('beratung@example.org')} اليوم"),
        # a distance with its Latin unit, and an Arabic unit after the number
        ("على بعد 1.2 km", f"على بعد {iso('1.2 km')}"),
        ("على بعد 1.2 كم", f"على بعد {iso('1.2')} كم"),
        # brackets: a pair inside a run stays inside, a pair around a run stays outside
        ("مركز Jobcenter (Dortmund) هنا", f"مركز {iso('Jobcenter (Dortmund)')} هنا"),
        ("المكتب (BAMF) هنا", f"المكتب ({iso('BAMF')}) هنا"),
        ("BAMF (مكتب)", f"{iso('BAMF')} (مكتب)"),
        # Arabic-Indic digits are reordered just like ASCII ones
        ("اتصل على ١١٦ ٠١٦", f"اتصل على {iso('١١٦ ٠١٦')}"),
        # nothing left to right: unchanged
        ("لا شيء هنا، فقط نص عربي.", "لا شيء هنا، فقط نص عربي."),
        ("", ""),
    ],
)
def test_isolate_ltr(html: str, expected: str) -> None:
    assert isolate_ltr(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # the link text is isolated, the address in the attribute is not touched
        (
            'موقع <a href="https://www.bamf.de/DE/Startseite">BAMF</a> الرسمي',
            f'موقع <a href="https://www.bamf.de/DE/Startseite">{iso("BAMF")}</a> الرسمي',
        ),
        (
            '<a href="tel:+4923112345">اتصل</a>',
            '<a href="tel:+4923112345">اتصل</a>',
        ),
        (
            'هاتف: <a href="tel:+49231123456">+49 231 123456</a>',
            f'هاتف: <a href="tel:+49231123456">{iso("+49 231 123456")}</a>',
        ),
        # entities are never split; inside a run they stay inside
        ("مكتب Jobcenter &amp; BAMF هنا", f"مكتب {iso('Jobcenter &amp; BAMF')} هنا"),
        ("&lt;عربي&gt;", "&lt;عربي&gt;"),
        # inline tags do not break a run; the marks go around the text, never into a tag
        ("مكتب <b>Jobcenter</b> Dortmund", f"مكتب <b>{LRI}Jobcenter</b> Dortmund{PDI}"),
        ("<b>مركز الاستشارة</b> — 350 m", f"<b>مركز الاستشارة</b> — {iso('350 m')}"),
        # a line break ends a run
        ("BAMF\nJobcenter", f"{iso('BAMF')}\n{iso('Jobcenter')}"),
        # a block of preformatted text is a run of its own
        ("Code <pre>AB-12</pre> هنا", f"{iso('Code')} <pre>{iso('AB-12')}</pre> هنا"),
    ],
)
def test_isolate_ltr_leaves_html_intact(html: str, expected: str) -> None:
    assert isolate_ltr(html) == expected


def test_babel_arabic_dates_keep_their_right_to_left_order() -> None:
    date = format_date(dt.date(2026, 3, 29), "ar", format="short")  # 29‏/3‏/2026 with RLMs

    assert isolate_ltr(date) == f"{iso('29')}\u200f/{iso('3')}\u200f/{iso('2026')}"


def test_isolate_ltr_is_idempotent_and_respects_existing_isolates() -> None:
    html = f'اتصل على {iso("116 016")} أو <a href="tel:110">110</a> — Jobcenter'
    once = isolate_ltr(html)

    assert (
        once
        == f'اتصل على {iso("116 016")} أو <a href="tel:110">{iso("110")}</a> — {iso("Jobcenter")}'
    )
    assert isolate_ltr(once) == once


def test_rtl_message_starts_every_line_right_to_left() -> None:
    html = "116 016 — رقم الطوارئ\n\n<b>BAMF</b> في دورتموند"
    expected = f"{RLM}{iso('116 016')} — رقم الطوارئ\n\n{RLM}<b>{iso('BAMF')}</b> في دورتموند"

    assert rtl_message(html) == expected
    assert rtl_message(expected) == expected


_PIECES = st.sampled_from(
    [
        "اتصل",
        "على",
        "پښتو",
        "فارسی",
        " ",
        "  ",
        "\n",
        "،",
        ".",
        ":",
        "/",
        "-",
        "(",
        ")",
        "+",
        "116 016",
        "+49 231 123456",
        "09:00",
        "BAMF",
        "Jobcenter",
        "Dortmund",
        "é",
        "١٢",
        "<b>",
        "</b>",
        '<a href="tel:+49 1">',
        "</a>",
        "&amp;",
        "&#1575;",
        "\u200f",
        "🆘",
    ]
)


@given(st.lists(_PIECES, max_size=25).map("".join))
def test_isolate_ltr_only_adds_marks_and_is_idempotent(html: str) -> None:
    once = isolate_ltr(html)

    assert once.replace(LRI, "").replace(PDI, "") == html
    assert isolate_ltr(once) == once
    assert once.count(LRI) == once.count(PDI)
    assert '<a href="tel:+49 1">' in once or '<a href="tel:+49 1">' not in html
    assert "&amp;" in once or "&amp;" not in html


@given(st.lists(_PIECES, max_size=25).map("".join))
def test_rtl_message_is_idempotent(html: str) -> None:
    once = rtl_message(html)

    assert rtl_message(once) == once


def test_commands_references_and_usernames_stay_whole_in_right_to_left_text():
    from bot.i18n.bidi import LRI, PDI, rtl_message

    text = rtl_message("احذف بالأمر /delete_my_data رقم الطلب #K7QF أو @lotse_bot")
    for token in ("/delete_my_data", "#K7QF", "@lotse_bot"):
        assert LRI + token + PDI in text
