"""Extract the interface strings into locales/messages.pot and update every language's catalog.

Usage (from the repository root)::

    .venv/bin/python scripts/update_catalogs.py          # write the template and the catalogs
    .venv/bin/python scripts/update_catalogs.py --check  # exit 1 if they are not up to date

The languages are those of content/languages.yaml; a missing catalog is created with the right
Plural-Forms, an existing one keeps its translations (changed strings become fuzzy). Equivalent to
``pybabel extract -F babel.cfg -o locales/messages.pot .`` followed by ``pybabel update``/``init``
for each language, plus our plural rules and an English catalog filled with the msgids.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script, without installing the package

from bot.i18n.catalogs import catalog_path  # noqa: E402
from bot.i18n.extraction import extract_template, update_catalog, write_if_changed  # noqa: E402


def content_languages(languages_file: Path) -> list[str]:
    """The language codes listed in content/languages.yaml, in their order."""
    data = yaml.safe_load(languages_file.read_text(encoding="utf-8"))
    return [entry["code"] for entry in data["languages"]]


def main(argv: list[str] | None = None) -> int:
    """Update (or with --check, verify) the template and the catalogs; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if outdated")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository root")
    args = parser.parse_args(argv)
    root: Path = args.root
    locales = root / "locales"

    template = extract_template(root, root / "babel.cfg")
    targets = [(locales / "messages.pot", template)]
    for language in content_languages(root / "content" / "languages.yaml"):
        targets.append(
            (catalog_path(locales, language), update_catalog(locales, language, template))
        )

    write = _would_change if args.check else write_if_changed
    outdated = []
    for path, catalog in targets:
        changed = write(path, catalog)
        untranslated = sum(1 for m in catalog if m.id and (m.fuzzy or not _translated(m)))
        state = ("outdated" if args.check else "updated") if changed else "up to date"
        detail = "" if path.suffix == ".pot" else f", {untranslated} untranslated or fuzzy"
        print(f"{path.relative_to(root)}: {state} ({len(catalog)} messages{detail})")
        if changed:
            outdated.append(path)
    print(f"{len(template)} interface strings.")
    return 1 if args.check and outdated else 0


def _translated(message) -> bool:
    return all(message.string) if message.pluralizable else bool(message.string)


def _would_change(path: Path, catalog) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / path.name
        if path.exists():
            probe.write_bytes(path.read_bytes())
        return write_if_changed(probe, catalog)


if __name__ == "__main__":
    sys.exit(main())
