"""Load the content folder: read every YAML file, link the sections, and validate the result."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from bot.content.findings import Findings
from bot.content.models import Content
from bot.content.reading import (
    Section,
    ServicesPart,
    ServicesWork,
    merge_services_part,
    read_sections,
    read_services_part_here,
    start_services_workers,
)
from bot.content.sections import Gathered, parse_section
from bot.errors import ContentError

__all__ = ["LoadResult", "content_files", "load_content", "load_content_or_raise"]

_FIRST = ("source_language", "languages")
ROOT_PAGE = "main"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The loaded content (None if it could not be built at all) and every finding."""

    content: Content | None
    findings: Findings
    files: tuple[Path, ...]

    @property
    def ok(self) -> bool:
        return self.content is not None and not self.findings.errors


def content_files(root: Path) -> list[Path]:
    """Every YAML file below ``root`` in a stable order (media files are not content)."""
    if root.is_file():
        return [root]
    files = [p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(p for p in files if "media" not in p.relative_to(root).parts)


@contextlib.contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while we build millions of small objects.

    Content creates no reference cycles worth collecting mid-load, but the collector would scan
    the ever-growing heap again and again: with it paused, loading large content is 2-3x faster.

    Afterwards the objects made meanwhile are handed straight to the oldest generation
    (``freeze`` then ``unfreeze``): left in the youngest, the first allocation after ``enable``
    would scan all of them at once (0.1-0.4 s on large content) only to find them alive.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def load_content(path: str | Path, *, today: dt.date | None = None) -> LoadResult:
    """Read and check the content below ``path``; never raises for bad content.

    Args:
        path: the content folder (or a single file, for tests).
        today: the date against which "not verified for 12 months" is judged.

    Returns:
        The content and all findings. ``content`` is None when the files could not be read.
    """
    with _no_garbage_collection():
        return _load(Path(path), today)


def _load(root: Path, today: dt.date | None) -> LoadResult:
    from bot.content.validation import validate

    findings = Findings(root=root if root.is_dir() else root.parent)
    if not root.exists():
        findings.error(root, 0, "missing", "this folder does not exist")
        return LoadResult(None, findings, ())
    files = content_files(root)
    if not files:
        findings.error(root, 0, "missing", "no .yaml files here: is this the content folder?")
        return LoadResult(None, findings, ())

    gathered, linked, work = _read_and_link(files, findings)
    findings.items.extend(linked.items)
    digest = hashlib.blake2b(digest_size=8)
    for file in files:
        digest.update(file.relative_to(root if root.is_dir() else root.parent).as_posix().encode())
        with contextlib.suppress(OSError):
            digest.update(file.read_bytes())

    _attach_translations(gathered)
    content = Content(
        version=_short_version(digest.digest()),
        source_language=gathered.source_language or "de",
        languages=MappingProxyType(gathered.languages),
        root=ROOT_PAGE,
        nodes=MappingProxyType(gathered.nodes),
        parents=MappingProxyType(_first_parents(gathered)),
        topics=MappingProxyType(gathered.topics),
        regions=MappingProxyType(gathered.regions),
        services=MappingProxyType(gathered.services),
        helplines=tuple(gathered.helplines.values()),
        templates=MappingProxyType(gathered.templates),
        events=tuple(sorted(gathered.events.values(), key=lambda e: e.start)),
        crisis_words=MappingProxyType(gathered.crisis_words),
        texts=MappingProxyType(gathered.texts),
        glossary=MappingProxyType({k: tuple(v) for k, v in gathered.glossary.items()}),
        news=MappingProxyType(gathered.news),
    )
    checked = work.html_checked()
    validate(content, gathered, findings, root, today=today or dt.date.today(), checked=checked)
    return LoadResult(content, findings, tuple(files))


def _read_and_link(
    files: list[Path], findings: Findings
) -> tuple[Gathered, Findings, ServicesWork]:
    """Read every file and link the sections as reading them one after the other would.

    Large services files are parsed into parts by worker processes (see bot.content.reading).
    While they are busy, this process reads the rest and links what it can (see :func:`_link`),
    then reads into parts the services files no worker has started on. Problems found while reading go to ``findings`` in
    file order, wherever the file was read; those found while linking are returned apart.
    """
    work = start_services_workers(files, findings.root or Path())
    per_file: dict[Path, Findings] = {}
    parsed: list[tuple[Path, list[Section]]] = []
    parts: dict[Path, ServicesPart | None] = {}
    try:
        for file in files:
            if file not in work:
                per_file[file] = Findings(root=findings.root)
                parsed.append((file, read_sections(file, per_file[file])))
            else:
                parsed.append((file, []))
        work.check_html(parsed)
        gathered, linked = Gathered(), Findings(root=findings.root)
        linking = _link(parsed, work, parts, gathered, linked)
        if next(linking, None) is not None:  # a services file's part is needed
            # Only now, with what can be linked linked, does this process claim files of its
            # own: the workers have read more meanwhile, and it is left less to wait for.
            while (claimed := work.claim()) is not None:
                parts[claimed] = read_services_part_here(claimed, findings.root or Path())
            parts.update(work.collect())
            if _read_instead(files, parsed, parts, per_file, findings.root):
                # A worker's file read here after all may hold any section: link everything
                # again, in order, with its sections in their place.
                gathered, linked = Gathered(), Findings(root=findings.root)
                linking = _link(parsed, work, parts, gathered, linked)
            for _ in linking:  # every part is there now, so this runs to the end
                pass
    except BaseException:
        work.close(cancel=True)
        raise
    work.close()  # a worker may still be checking HTML: see ServicesWork.check_html
    for file in files:
        if file in per_file:
            findings.items.extend(per_file[file].items)
    return gathered, linked, work


def _read_instead(
    files: list[Path],
    parsed: list[tuple[Path, list[Section]]],
    parts: dict[Path, ServicesPart | None],
    per_file: dict[Path, Findings],
    root: Path | None,
) -> bool:
    """Read here, in the usual way, the large files that could not be made into parts.

    Returns:
        Whether there were any.
    """
    again = [file for file, part in parts.items() if part is None and file not in per_file]
    for file in again:
        per_file[file] = Findings(root=root)
        parsed[files.index(file)] = (file, read_sections(file, per_file[file]))
    return bool(again)


def _link(
    parsed: list[tuple[Path, list[Section]]],
    work: ServicesWork,
    parts: dict[Path, ServicesPart | None],
    gathered: Gathered,
    findings: Findings,
) -> Iterator[Path]:
    """Link the files' sections into ``gathered`` in file order, the first sections first.

    Yields a worker's file when its part is needed and not in ``parts`` yet; the caller puts it
    there (None if the file is read here after all, see :func:`_read_instead`). So this process
    links the files before the first services file while the workers still read. Files that hold
    nothing but translations are linked first when no other file holds translations: they
    touch nothing else that is gathered, so their place in the order makes no difference.
    """
    apart = _translations_apart(parsed)
    for file, sections in parsed:
        if file in apart:
            for name, node in sections:
                parse_section(name, node, file, findings, gathered)
    for first_pass in (True, False):
        for file, sections in parsed:
            if file in apart:
                continue
            if file in work and not first_pass:
                while file not in parts:
                    yield file
                part = parts[file]
                if part is not None:
                    if merge_services_part(part, gathered, findings):
                        continue
                    # Another file already uses one of its ids: parse it here, in order, instead.
                    sections = read_sections(file, Findings(root=findings.root))
            for name, node in sections:
                if (name in _FIRST) == first_pass:
                    parse_section(name, node, file, findings, gathered)
        if first_pass and gathered.source_language is None:
            gathered.source_language = "de"


def _translations_apart(parsed: list[tuple[Path, list[Section]]]) -> set[Path]:
    """The files holding only translations, if no other file holds any (see :func:`_link`)."""
    apart: set[Path] = set()
    for file, sections in parsed:  # a worker's file counts once it is read here (see _link)
        names = {name for name, _ in sections}
        if names == {"translations"}:
            apart.add(file)
        elif "translations" in names:
            return set()
    return apart


def _result(future: Future[ServicesPart | None]) -> ServicesPart | None:
    try:
        return future.result()
    except Exception:  # a worker that failed for any reason: the file is read here instead
        return None


def load_content_or_raise(path: str | Path, *, today: dt.date | None = None) -> Content:
    """Load the content for the bot; raise :class:`ContentError` listing every error."""
    result = load_content(path, today=today)
    if not result.ok or result.content is None:
        raise ContentError(result.findings.sorted())
    return result.content


def _short_version(raw: bytes) -> str:
    # Four characters of base-36 are plenty to tell content versions apart in callback data.
    number = int.from_bytes(raw[:4], "big")
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    chars = []
    for _ in range(4):
        number, rest = divmod(number, 36)
        chars.append(alphabet[rest])
    return "".join(chars)


def _attach_translations(gathered: Gathered) -> None:
    for language, entries in gathered.translations.items():
        for key, translation in entries.items():
            backing = gathered.text_backing.get(key)
            if backing is not None:
                backing[language] = translation


def _first_parents(gathered: Gathered) -> dict[str, str]:
    """Each page's first parent in breadth-first order from the root: it defines Back."""
    parents: dict[str, str] = {}
    queue = [ROOT_PAGE] if ROOT_PAGE in gathered.nodes else []
    seen = set(queue)
    while queue:
        current = queue.pop(0)
        for child in gathered.nodes[current].children:
            if child in gathered.nodes and child not in seen:
                seen.add(child)
                parents[child] = current
                queue.append(child)
    return parents
