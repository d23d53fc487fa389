"""Arabic pages: dates in the three families of month names, headlines, analysis, and known people
found in Arabic script."""
from __future__ import annotations

import pytest

from search.index.analysis import analyze
from search.index.arabic import light_stem, normalize_arabic
from search.index.schema import language_group
from search.ingest.arabic_names import arabic_people, full_name_key, typed_name_keys
from search.ingest.dates import extract_date
from search.ingest.titles import extract_title


@pytest.mark.parametrize("text, expected", [
    ("الرباط، الثلاثاء 28 مايو 2024 - أكد المدير العام", "2024-05-28"),  # Gregorian (Egypt, Gulf)
    ("دمشق في 12 أيار 2023 - افتتح الوزير", "2023-05-12"),  # Levantine
    ("بيروت 5 آب 2020م", "2020-08-05"),  # two-letter month, the م of a Gregorian year
    ("عمّان في 19 و20 كانون الثاني 2022", "2022-01-19"),  # a range, a month of two words
    ("تونس في 25 جويلية/ يوليو 1970", "1970-07-25"),  # Maghreb name, then its Gregorian one
    ("عمان في 28 أيار (مايو) 2024", "2024-05-28"),
    ("الرباط 3 يوليوز 2021", "2021-07-03"),  # Morocco
    ("القاهرة ١٢ ابريل ٢٠٢٣", "2023-04-12"),  # Arabic-Indic digits, alef without hamza
    ("الجزائر، 14/03/2022", "2022-03-14"),
    ("Rabat, 29 mai 2024", "2024-05-29"),  # French and English stay as they were
    ("Friday July 26, 2024", "2024-07-26"),
    ("سنة الإيسيسكو للمرأة", None),
])
def test_arabic_dates_are_read_in_every_family_of_month_names(text, expected):
    assert extract_date(text) == expected


@pytest.mark.parametrize("text, title", [
    ("الإيسيسكو تطلق برنامجا جديدا لتأهيل الشباب في مجال الذكاء الاصطناعي\n"
     "الرباط، 28 مايو 2024 - أطلقت منظمة العالم الإسلامي للتربية والعلوم والثقافة برنامجا جديدا.",
     "الإيسيسكو تطلق برنامجا جديدا لتأهيل الشباب في مجال الذكاء الاصطناعي"),
    ("يحتفل العالم، اليوم السبت، باليوم العالمي للغة العربية، حيث ستعقد الأمم المتحدة عدة فعاليات", None),
    ("L’ICESCO lance un programme pour les jeunes", None),  # one line: body, in any language
])
def test_a_headline_stands_over_its_text(text, title):
    assert extract_title(text) == title


@pytest.mark.parametrize("written, normalised", [
    ("أحمد", "احمد"), ("إسلام", "اسلام"), ("آداب", "اداب"), ("ٱلله", "الله"),  # alef forms
    ("منظمة", "منظمه"),  # ta marbuta
    ("مستوى", "مستوي"),  # alef maqsura
    ("العـــربية", "العربيه"),  # tatweel
    ("مُحَمَّد", "محمد"),  # short vowels and shadda
])
def test_arabic_spellings_are_normalised(written, normalised):
    assert normalize_arabic(written) == normalised


@pytest.mark.parametrize("forms", [
    ("المنظمة", "منظمة", "للمنظمة", "والمنظمات", "منظمات"),
    ("الثقافة", "ثقافة", "الثقافية", "والثقافة"),
    ("الإيسيسكو", "إيسيسكو", "للإيسيسكو", "الايسيسكو"),
    ("مُحَمَّد", "محمد"),
])
def test_forms_of_an_arabic_word_share_one_term(forms):
    assert len({tuple(analyze(form, "ar")) for form in forms}) == 1


def test_arabic_stop_words_leave_the_content_words():
    assert analyze("في هذه المنظمة التي", "ar") == ["منظم"]


def test_the_light_stemmer_keeps_two_letters():
    assert light_stem("الم") == "الم" and light_stem("وال") == "وال"


def test_arabic_has_fields_of_its_own():
    assert language_group("ar") == "ar" and language_group("es") == "xx"


@pytest.mark.parametrize("latin, arabic", [
    ("Salim M. AlMalik", "سالم بن محمد المالك"),
    ("Mohamed Ould Cheikh El Ghazouani", "محمد ولد الشيخ الغزواني"),
    ("Abdelilah Benarafa", "عبد الإله بنعرفة"),
])
def test_a_known_person_is_found_in_arabic_script(latin, arabic):
    text = f"استقبل {arabic} اليوم وفدا من الخبراء."
    assert arabic_people(text, {"key": latin}) == [latin]


def test_a_person_the_archive_does_not_know_is_not_made_up():
    assert arabic_people("استقبل سالم بن محمد المالك وفدا", {"key": "Salma Malouf"}) == []


@pytest.mark.parametrize("a, b", [
    ("Muhammad bin Salman", "Mohammed ben Salmane"),
    ("Salim bin Mohammed Al-Malik", "Salem Al Malek"),
    ("Yousef Al-Othaimeen", "Youssef Al Othaimeen"),
])
def test_full_names_in_two_spellings_share_a_key(a, b):
    assert full_name_key(a) == full_name_key(b) is not None
    assert full_name_key(a) in typed_name_keys(b.split())
