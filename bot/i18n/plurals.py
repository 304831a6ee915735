"""Gettext plural rules chosen by what CLDR says about whole numbers, not by how CLDR spells it.

A catalog's ``Plural-Forms`` header picks ``msgstr[i]`` for a count ``n``. Babel ships CLDR's plural
rules, but their *text* changes between releases (French ``one`` was ``i in 0,1`` in Babel 2.18 and
is ``i in 0..1`` in 2.19; CLDR 42 gave French a third category, ``many``, for 1,000,000). So we never
compare or copy rule text: we evaluate Babel's rule on whole numbers and choose, from a fixed list of
well-known gettext expressions, the first one that splits those numbers the same way, with its forms
in CLDR's order (zero, one, two, few, many, other). The header written into a catalog is therefore
the same whatever Babel release is installed, and a Babel release whose rules really differ is
caught by the tests, which ask :func:`disagreement` on the real catalogs.

Decision for French (and any language whose ``many`` holds only for round millions): the catalogs
fold that ``many`` into ``other``. CLDR's ``many`` exists for number *words* ("un million *de*
fichiers"); the bot always writes counts as digits ("1 000 000 fichiers"), for which the ``other``
form is correct, and a third form would ask translators for a sentence no person will ever see.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable, Iterable

from babel import Locale

__all__ = [
    "CANDIDATES",
    "CLDR_ORDER",
    "SAMPLES",
    "catalog_category",
    "disagreement",
    "plural_forms",
]

#: CLDR's plural categories in the order gettext forms follow (msgstr[0] is the first one used).
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")

#: The whole numbers on which rules are compared: every remainder modulo 10, 100 and 1000, and
#: round and near-round large numbers (where CLDR 42+ puts French, Spanish, Italian ``many``).
SAMPLES: tuple[int, ...] = tuple(range(1200)) + tuple(
    sorted(
        {
            base * 10**exponent + offset
            for exponent in range(3, 10)
            for base in (1, 2, 5, 11, 21)
            for offset in (0, 1, 2, 5, 11)
        }
    )
)

#: Well-known gettext expressions (GNU gettext's spelling), tried in this order. A language gets
#: the first that agrees with CLDR on :data:`SAMPLES`; add one here for a language none fits.
CANDIDATES: tuple[str, ...] = (
    "nplurals=2; plural=(n != 1);",
    "nplurals=2; plural=(n > 1);",
    "nplurals=1; plural=0;",
    # Ukrainian, Russian, Belarusian: one (1, 21, 31 …), few (2–4, 22–24 …), many (the rest).
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || "
    "n%100>=20) ? 1 : 2);",
    # Polish: one (only 1), few (2–4, 22–24 …), many (the rest).
    "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    # Arabic: zero, one, two, few (3–10, 103–110 …), many (11–99, 111–199 …), other (100–102 …).
    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 ? 4 : 5);",
)


def plural_forms(language: str) -> str:
    """The ``Plural-Forms`` header for a new catalog of ``language``.

    Raises:
        ValueError: Babel does not know ``language``, or no expression in :data:`CANDIDATES`
            agrees with its CLDR rule (then add one there).
    """
    for candidate in CANDIDATES:
        if disagreement(candidate, language) is None:
            return candidate
    raise ValueError(
        f"no gettext plural expression in bot.i18n.plurals.CANDIDATES agrees with CLDR's rule "
        f"for {language!r} ({_cldr_rules(language)}); add one there"
    )


def disagreement(expression: str, language: str) -> str | None:
    """Why the gettext ``expression`` does not fit CLDR's rule for ``language``, or None if it does.

    It fits when every form index it yields on :data:`SAMPLES` stands for exactly one category
    (after :func:`catalog_category`), each category has one index, and the indices follow
    :data:`CLDR_ORDER`.
    """
    nplurals, choose = _parse(expression)
    category_of = _integer_categories(language)
    categories_of_form: dict[int, set[str]] = {}
    for n in SAMPLES:
        categories_of_form.setdefault(choose(n), set()).add(category_of(n))
    for form, categories in sorted(categories_of_form.items()):
        if len(categories) > 1:
            return f"form {form} mixes the categories {', '.join(_in_order(categories))}"
        if not 0 <= form < nplurals:
            return f"form {form} is outside nplurals={nplurals}"
    used = [next(iter(categories_of_form[form])) for form in sorted(categories_of_form)]
    for category in set(used):
        if used.count(category) > 1:
            forms = [str(form) for form, found in enumerate(used) if found == category]
            return f"forms {' and '.join(forms)} both stand for {category}"
    if len(used) != nplurals:
        return f"nplurals={nplurals}, but whole numbers fall into {len(used)} forms"
    if used != _in_order(used):
        return f"forms are in the order {', '.join(used)}, not CLDR's"
    needed = {category_of(n) for n in SAMPLES}
    if set(used) != needed:
        return f"categories {', '.join(_in_order(needed - set(used)))} have no form"
    return None


def catalog_category(language: str, n: int) -> str:
    """The CLDR category a catalog uses for the whole number ``n`` in ``language``.

    That is CLDR's own, except that a ``many`` which holds only for round millions is ``other``
    (see the module docstring).
    """
    return _integer_categories(language)(n)


@functools.cache
def _integer_categories(language: str) -> Callable[[int], str]:
    rule = Locale.parse(language).plural_form
    folded = _categories_only_for_millions(rule)

    def category(n: int) -> str:
        found = rule(n)
        return "other" if found in folded else found

    return category


def _categories_only_for_millions(rule: Callable[[int], str]) -> frozenset[str]:
    # CLDR 42+ "many" in fr, es, it, pt, ca: 1000000, 2000000 … but never 0–999,999.
    small = {rule(n) for n in range(1_000_000 // 1000)} | {rule(n) for n in SAMPLES if n < 10**6}
    large = {rule(n) for n in SAMPLES if n >= 10**6 and n % 10**6 == 0}
    return frozenset(category for category in large - small if category != "other")


@functools.cache
def _parse(expression: str) -> tuple[int, Callable[[int], int]]:
    parts = dict(
        part.strip().split("=", 1) for part in expression.strip().rstrip(";").split(";") if part
    )
    try:
        return int(parts["nplurals"]), gettext.c2py(parts["plural"])
    except (KeyError, ValueError) as exc:
        raise ValueError(f"not a gettext Plural-Forms value: {expression!r}") from exc


def _in_order(categories: Iterable[str]) -> list[str]:
    return sorted(set(categories), key=CLDR_ORDER.index)


def _cldr_rules(language: str) -> str:
    rules = Locale.parse(language).plural_form.rules
    return "; ".join(f"{category}: {rule}" for category, rule in sorted(rules.items())) or "none"
