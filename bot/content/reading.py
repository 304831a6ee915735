"""Read content files into their top-level sections, large services files in worker processes.

Reading is most of the time a content check takes, and most of that is libyaml composing node
graphs. On large content, files that hold nothing but ``services:`` are therefore composed and
parsed in worker processes (forked, so that they start at once) while this process reads the
rest. A worker sends back a :class:`ServicesPart` — model objects and line numbers, which pickle
cheaply, never nodes — and :func:`merge_services_part` adds it to what was gathered exactly as
parsing the file here would have. Where that cannot be guaranteed (a service id that another
file already uses, a file with problems found while reading it), the file is simply read again
here, in order, so the findings and the content are the same either way. This process makes
parts of the services files no worker has started on yet, once it has read the rest (see
:func:`start_services_workers`), and a worker checks the translations' HTML for validation.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, fields, replace
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from types import MappingProxyType

from yaml.nodes import MappingNode, Node, ScalarNode

from bot.content.findings import Finding, Findings
from bot.content.models import Address, GeoPoint, LocalizedText, Service, Translation
from bot.content.sections import HTML_FIELDS, SECTIONS, Gathered, parse_section
from bot.content.telegram_html import HtmlCheck, check_many
from bot.content.translation_files import TranslationTable, read_translation_table
from bot.content.yamlread import compose_text, did_you_mean, line_of, read_text

__all__ = [
    "PARALLEL_MIN_BYTES",
    "Section",
    "ServicesPart",
    "ServicesWork",
    "merge_services_part",
    "read_sections",
    "read_services_part_here",
    "start_services_workers",
]

# Below this many bytes of services files, starting workers costs more than it saves.
PARALLEL_MIN_BYTES = 2_000_000
# A file is worth a worker from this size on; smaller ones are read here in passing.
_WORKER_MIN_BYTES = 256_000

Section = tuple[str, Node | TranslationTable]


def read_sections(path: Path, findings: Findings) -> list[Section]:
    """The sections of one file; translation files in the usual layout skip the node graph."""
    text = read_text(path, findings)
    if text is None:
        return []
    table = read_translation_table(text)
    if table is not None:
        return [("translations", table)]
    return top_level(path, compose_text(path, text, findings), findings)


def top_level(path: Path, node: Node | None, findings: Findings) -> list[tuple[str, Node]]:
    """The known sections of a composed file, reporting unknown and repeated ones."""
    if node is None:
        return []
    if not isinstance(node, MappingNode):
        findings.error(
            path,
            line_of(node),
            "type",
            "a content file must start with section names such as menu:, services:, regions:",
        )
        return []
    sections: list[tuple[str, Node]] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        name = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
        if name not in SECTIONS:
            findings.error(
                path,
                line_of(key_node),
                "unknown-key",
                f'unknown section "{name}"{did_you_mean(name, tuple(SECTIONS))}',
            )
            continue
        if name in seen:
            findings.error(
                path,
                line_of(key_node),
                "duplicate-key",
                f'the section "{name}" appears twice in this file (first on line {seen[name]})',
            )
            continue
        seen[name] = line_of(key_node)
        sections.append((name, value_node))
    return sections


@dataclass(frozen=True, slots=True)
class ServicesPart:
    """What parsing one services-only file produced, in a form that pickles cheaply.

    Services travel as tuples of their fields (unpickling a frozen dataclass field by field
    costs several times more than calling its constructor). Descriptions travel as plain tuples
    too (a text's translations are a read-only view of a dict that is filled later, which does
    not pickle); services that have one carry None until :func:`merge_services_part` puts the
    rebuilt text back.
    """

    path: Path
    findings: list[Finding]
    services: list[tuple]
    described: frozenset[str]
    references: dict[tuple[str, str, str], dict[str, int]]
    field_lines: dict[tuple[str, str], dict[str, int]]
    texts: list[tuple[str, str, str, int]]


def _read_services_part(path: Path, root: Path) -> ServicesPart | None:
    """Compose and parse ``path`` on its own (in a worker); None if it is not services only."""
    findings = Findings(root=root)
    sections = read_sections(path, findings)
    if findings.items or not sections or any(name != "services" for name, _ in sections):
        return None  # read here again, in order, so that its findings keep their place
    gathered = Gathered()
    for name, node in sections:
        parse_section(name, node, path, findings, gathered)
    described = frozenset(i for i, s in gathered.services.items() if s.description is not None)
    return ServicesPart(
        path=path,
        findings=findings.items,
        services=[_service_fields(s) for s in gathered.services.values()],
        described=described,
        references=gathered.references,
        field_lines=gathered.field_lines,
        texts=[(t.key, t.source, t.file, t.line) for t in gathered.texts.values()],
    )


def merge_services_part(part: ServicesPart, gathered: Gathered, findings: Findings) -> bool:
    """Add a worker's part as parsing its file here would have; False if that is not certain.

    Parsing a services file depends on what came before only through the ids already in use
    (every id the file names is in ``field_lines``) and the source language of its texts.
    """
    services = gathered.services
    if any(key[1] in services for key in part.field_lines):
        return False
    gathered.section_files.setdefault("services", part.path)
    findings.items.extend(part.findings)
    for key, source, file, line in part.texts:
        backing: dict[str, Translation] = {}
        gathered.text_backing[key] = backing
        gathered.texts[key] = LocalizedText(
            key=key,
            source=source,
            source_language=gathered.source_language or "de",
            translations=MappingProxyType(backing),
            file=file,
            line=line,
        )
    gathered.references.update(part.references)
    gathered.field_lines.update(part.field_lines)
    for values in part.services:
        service = _service(values)
        if service.id in part.described:
            text = gathered.texts[f"service.{service.id}.description"]
            service = replace(service, description=text)
        services[service.id] = service
    return True


_SERVICE_FIELDS = tuple(f.name for f in fields(Service))
_ADDRESS = _SERVICE_FIELDS.index("address")
_LOCATION = _SERVICE_FIELDS.index("location")
_DESCRIPTION = _SERVICE_FIELDS.index("description")


def _service_fields(service: Service) -> tuple:
    """A service as a tuple of its fields, address and location as tuples, no description."""
    values = [getattr(service, name) for name in _SERVICE_FIELDS]
    address, location = service.address, service.location
    values[_ADDRESS] = (address.street, address.postal_code, address.city)
    values[_LOCATION] = None if location is None else (location.lat, location.lon)
    values[_DESCRIPTION] = None
    return tuple(values)


def _service(values: tuple) -> Service:
    """The service :func:`_service_fields` took apart (without its description)."""
    fields_ = list(values)
    fields_[_ADDRESS] = Address(*fields_[_ADDRESS])
    if fields_[_LOCATION] is not None:
        fields_[_LOCATION] = GeoPoint(*fields_[_LOCATION])
    return Service(*fields_)


# The index of the next large file to read, shared by this process and its forked workers
# (set in a worker by _share): whoever is free claims the next file, so that no file waits in a
# queue for someone who is still busy while someone else has nothing left to do.
_next_file: Synchronized | None = None


def _share(counter: Synchronized) -> None:
    global _next_file
    _next_file = counter


def _claim(counter: Synchronized, count: int) -> int | None:
    with counter.get_lock():
        index = counter.value
        if index >= count:
            return None
        counter.value = index + 1
    return index


def _read_claimed(paths: tuple[Path, ...], root: Path) -> list[tuple[int, ServicesPart | None]]:
    """In a worker: read the large files nobody has claimed yet, one after the other."""
    assert _next_file is not None
    parts = []
    while (index := _claim(_next_file, len(paths))) is not None:
        parts.append((index, read_services_part_here(paths[index], root)))
    return parts


@dataclass(slots=True)
class ServicesWork:
    """The large services files, shared between worker processes and this process.

    Attributes:
        pool: the worker processes (None when nothing is read in parallel).
        paths: the large files, largest first; each is read by whoever claims it first.
        counter: the index of the next file to claim (see :func:`_claim`).
        batches: each worker's parts, with the index of their file.
        mine: the files this process claimed.
        html: the translated texts a worker checks as Telegram HTML (see :meth:`check_html`).
    """

    pool: ProcessPoolExecutor | None = None
    paths: tuple[Path, ...] = ()
    counter: Synchronized | None = None
    batches: list[Future[list[tuple[int, ServicesPart | None]]]] = field(default_factory=list)
    mine: set[Path] = field(default_factory=set)
    html: tuple[list[str], Future[list[tuple[tuple[str, ...], int]]]] | None = None

    def __contains__(self, path: Path) -> bool:
        return path in self.paths

    def claim(self) -> Path | None:
        """The next file nobody has started on, for this process to read; None if none is left.

        Called again after each file read here, this shares the files as each process becomes
        free, without guessing how long this process needs for the rest of the content.
        """
        if self.counter is None or (index := _claim(self.counter, len(self.paths))) is None:
            return None
        self.mine.add(self.paths[index])
        return self.paths[index]

    def collect(self) -> dict[Path, ServicesPart | None]:
        """The parts the workers made (waiting for them); None for a file a worker failed on."""
        parts: dict[Path, ServicesPart | None] = {
            path: None for path in self.paths if path not in self.mine
        }
        for batch in self.batches:
            with contextlib.suppress(Exception):  # its files are read here instead (None)
                parts.update((self.paths[index], part) for index, part in batch.result())
        return parts

    def check_html(self, parsed: list[tuple[Path, list[Section]]]) -> None:
        """Have a worker check the HTML of the translations read so far, once it is free.

        Validation checks every translated text and page; when the workers are done with the
        services files, one of them checks the translations while this process links the
        sections. Only texts that could hold HTML are sent; results are the same either way.
        """
        if self.pool is None:
            return
        texts = {
            value.strip()
            for _, sections in parsed
            for _, table in sections
            if isinstance(table, TranslationTable)
            for key, _, value, _, _ in table.entries
            if value is not None
            and key.endswith(HTML_FIELDS)
            and ("<" in value or "&" in value or ">" in value)
        }
        if texts:
            ordered = list(texts)
            self.html = (ordered, self.pool.submit(check_many, ordered))

    def html_checked(self) -> dict[str, HtmlCheck]:
        """The results of :meth:`check_html` (waiting for them); empty if there are none."""
        if self.html is None:
            return {}
        texts, future = self.html
        try:
            results = future.result()
        except Exception:  # validation checks the texts itself
            return {}
        return {text: HtmlCheck(*result) for text, result in zip(texts, results, strict=True)}

    def close(self, *, cancel: bool = False) -> None:
        """Let the workers go once they are done (at once with ``cancel``)."""
        if self.counter is not None and cancel:
            with self.counter.get_lock():
                self.counter.value = len(self.paths)  # nothing more is claimed
        if self.pool is not None:
            self.pool.shutdown(wait=cancel, cancel_futures=cancel)


def start_services_workers(files: list[Path], root: Path) -> ServicesWork:
    """Start reading the large files that look like services files in worker processes.

    Only on content large enough to gain, with more than one processor and the 'fork' start
    method (a spawned worker would first have to import everything again). There is one worker
    fewer than processors, as this process reads the rest of the content meanwhile; then it
    claims files too (:meth:`ServicesWork.claim`). A part it makes itself need not be pickled.
    Files are claimed largest first, so that everyone finishes at about the same time.
    """
    big = [f for f in files if _size(f) >= _WORKER_MIN_BYTES and _mentions_services(f)]
    processors = os.cpu_count() or 1
    if (
        sum(_size(f) for f in big) < PARALLEL_MIN_BYTES
        or processors < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return ServicesWork()
    fork = multiprocessing.get_context("fork")
    counter = fork.Value("i", 0)
    workers = min(len(big), processors - 1)
    # A forked worker inherits the counter (it cannot be pickled into a task).
    pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=_share, initargs=(counter,))
    paths = tuple(sorted(big, key=_size, reverse=True))
    batches = [pool.submit(_read_claimed, paths, root) for _ in range(workers)]
    return ServicesWork(pool, paths, counter, batches)


def read_services_part_here(path: Path, root: Path) -> ServicesPart | None:
    """:func:`_read_services_part` in this process, failing as quietly as a worker would."""
    try:
        return _read_services_part(path, root)
    except Exception:  # the file is read again in order, which reports what went wrong
        return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _mentions_services(path: Path) -> bool:
    """A cheap guess from the first bytes; the worker checks properly."""
    try:
        with path.open("rb") as handle:
            return b"services:" in handle.read(4096)
    except OSError:
        return False
