"""Translators' files: export-po / import-po round trip on a copy of the repository's content."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot.cli import main
from bot.content.loader import load_content_or_raise
from bot.content.models import source_hash
from bot.content.pofiles import export_po, import_po
from bot.content.refresh import review_translations
from bot.errors import ContentError
from tests.helpers.content import CONTENT


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _edit_po(path: Path, changes: dict[str, tuple[str, bool]]) -> None:
    """Set msgstr (and whether it is fuzzy) of the messages named by their msgctxt."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.context in changes:
            message.string, fuzzy = changes[message.context]
            if fuzzy:
                message.flags.add("fuzzy")
            else:
                message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0)


def _rename_police(root: Path, name: str) -> None:
    """Change the German name of the police help line (an editor's change)."""
    helplines = root / "helplines.yaml"
    helplines.write_text(
        helplines.read_text().replace("    name: Polizei\n", f"    name: {name}\n")
    )


def _diff(before: bytes, after: bytes) -> list[str]:
    lines = difflib.unified_diff(
        before.decode().splitlines(), after.decode().splitlines(), n=0, lineterm=""
    )
    return [line for line in lines if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_export_then_import_without_changes_leaves_content_byte_for_byte(
    content_copy: Path, tmp_path: Path
) -> None:
    before = _snapshot(content_copy)
    assert main(["content", "export-po", str(tmp_path / "po"), "--path", str(content_copy)]) == 0
    written = sorted(p.name for p in (tmp_path / "po").glob("*.po"))
    assert written == sorted(
        f"{code}.po" for code in ("en", "ar", "fa", "uk", "ru", "tr", "ku", "ps", "ti", "so", "fr")
    )
    assert main(["content", "import-po", str(tmp_path / "po"), "--path", str(content_copy)]) == 0
    assert _snapshot(content_copy) == before


def test_po_file_holds_key_german_text_and_translation(content_copy: Path, tmp_path: Path) -> None:
    export_po(content_copy, tmp_path / "po")
    with (tmp_path / "po" / "fr.po").open("rb") as handle:
        catalog = read_po(handle)
    message = catalog.get("Polizei", context="helpline.polizei.name")
    assert message is not None
    assert message.string == "Police"
    assert not message.fuzzy
    assert message.locations == [("content/helplines.yaml", 7)]


def test_changed_msgstr_lands_in_its_entry_with_fingerprint(
    content_copy: Path, tmp_path: Path
) -> None:
    french = content_copy / "translations" / "fr.yaml"
    before = french.read_bytes()
    export_po(content_copy, tmp_path / "po")
    _edit_po(
        tmp_path / "po" / "fr.po",
        {"helpline.polizei.name": ("Police (110)", False)},
    )

    result = import_po(content_copy, tmp_path / "po")

    assert result.updated == ["fr:helpline.polizei.name"]
    assert result.files == [french]
    # exactly the one line changed; comments, order and the rest of the file are untouched
    assert _diff(before, french.read_bytes()) == [
        "-      text: Police",
        "+      text: Police (110)",
    ]
    content = load_content_or_raise(content_copy)
    assert content.texts["helpline.polizei.name"].get("fr") == "Police (110)"
    assert content.texts["helpline.polizei.name"].is_current("fr")


def test_german_change_is_fuzzy_until_the_translator_confirms_it(
    content_copy: Path, tmp_path: Path
) -> None:
    _rename_police(content_copy, "Polizei (Notruf)")
    arabic = content_copy / "translations" / "ar.yaml"
    before = arabic.read_bytes()
    export_po(content_copy, tmp_path / "po")
    with (tmp_path / "po" / "ar.po").open("rb") as handle:
        message = read_po(handle).get("Polizei (Notruf)", context="helpline.polizei.name")
    assert message is not None and message.fuzzy
    assert message.string == "الشرطة"

    # Imported unchanged, the fuzzy translation stays outdated and the file untouched.
    assert import_po(content_copy, tmp_path / "po").updated == []
    assert arabic.read_bytes() == before

    # The translator updates it and removes "fuzzy": the new fingerprint is recorded.
    _edit_po(tmp_path / "po" / "ar.po", {"helpline.polizei.name": ("الشرطة (110)", False)})
    import_po(content_copy, tmp_path / "po")
    new_hash = source_hash("Polizei (Notruf)")
    assert _diff(before, arabic.read_bytes()) == [
        "-      from: 892ee6",
        "-      text: الشرطة",
        f"+      from: {new_hash}",
        "+      text: الشرطة (110)",
    ]
    assert load_content_or_raise(content_copy).texts["helpline.polizei.name"].is_current("ar")


def test_translator_confirming_unchanged_text_records_fingerprint_only(
    content_copy: Path, tmp_path: Path
) -> None:
    _rename_police(content_copy, "Polizei!")
    ukrainian = content_copy / "translations" / "uk.yaml"
    before = ukrainian.read_bytes()
    export_po(content_copy, tmp_path / "po")
    _edit_po(tmp_path / "po" / "uk.po", {"helpline.polizei.name": ("Поліція", False)})
    assert import_po(content_copy, tmp_path / "po").updated == ["uk:helpline.polizei.name"]
    assert _diff(before, ukrainian.read_bytes()) == [
        "-      from: 892ee6",
        f"+      from: {source_hash('Polizei!')}",
    ]
    text = load_content_or_raise(content_copy).texts["helpline.polizei.name"]
    assert text.is_current("uk")
    assert text.get("uk") == "Поліція"


def test_new_translation_is_added_beside_its_siblings_as_a_block(
    content_copy: Path, tmp_path: Path
) -> None:
    russian = content_copy / "translations" / "ru.yaml"
    lines = russian.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if "helpline.notruf.description:" in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("    helpline."))
    russian.write_text("".join(lines[:start] + lines[end:]))
    export_po(content_copy, tmp_path / "po")
    german = load_content_or_raise(content_copy).texts["helpline.notruf.description"].source
    _edit_po(
        tmp_path / "po" / "ru.po",
        {"helpline.notruf.description": ("Первая строка.\nВторая строка.", False)},
    )

    import_po(content_copy, tmp_path / "po")

    written = russian.read_text()
    entry = written.split("    helpline.notruf.description:\n", 1)[1]
    assert entry.startswith(
        f"      from: {source_hash(german)}\n"
        "      text: |\n        Первая строка.\n        Вторая строка.\n"
    )
    keys = [line.strip() for line in written.splitlines() if line.startswith("    helpline.")]
    assert keys.index("helpline.notruf.description:") == keys.index("helpline.notruf.name:") + 1
    content = load_content_or_raise(content_copy)
    assert (
        content.texts["helpline.notruf.description"].get("ru") == "Первая строка.\nВторая строка."
    )


def test_unknown_keys_are_reported_and_broken_files_name_their_line(
    content_copy: Path, tmp_path: Path
) -> None:
    export_po(content_copy, tmp_path / "po")
    po = tmp_path / "po" / "tr.po"
    po.write_text(
        po.read_text(encoding="utf-8")
        + '\nmsgctxt "menu.gone.title"\nmsgid "Weg"\nmsgstr "Gitti"\n',
        encoding="utf-8",
    )
    assert import_po(content_copy, tmp_path / "po").unknown == ["tr:menu.gone.title"]

    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "offen\n', encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        import_po(content_copy, tmp_path / "po")
    assert "tr.po:" in str(raised.value)

    (tmp_path / "po" / "xx.po").write_text("", encoding="utf-8")
    po.unlink()
    with pytest.raises(ContentError, match="xx is not a translated language"):
        import_po(content_copy, tmp_path / "po")


def test_a_changed_text_is_no_longer_marked_reviewed(content_copy: Path, tmp_path: Path) -> None:
    review_translations(content_copy, "fr", ("helpline.polizei.name", "helpline.notruf.name"))
    export_po(content_copy, tmp_path / "po")
    _edit_po(tmp_path / "po" / "fr.po", {"helpline.polizei.name": ("Police (110)", False)})
    import_po(content_copy, tmp_path / "po")
    texts = load_content_or_raise(content_copy).texts
    assert not texts["helpline.polizei.name"].is_reviewed("fr")
    assert texts["helpline.notruf.name"].is_reviewed("fr")
