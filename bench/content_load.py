"""Benchmark: load and check synthetic content of 5,000 pages × 12 languages and 20,000 services.

The figure is the wall time of ``check_content`` (read every YAML file, build the model, apply
every rule, compute coverage) on content of that size, generated into a temporary folder.
Target: under 3 s.
"""

from __future__ import annotations

import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from bot.content.check import check_content
from bot.content.models import source_hash

LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr", "ku", "ps", "ti", "so", "fr")
PAGES = 5_000
SERVICES = 20_000
FANOUT = 8


def _menu(rng: random.Random) -> tuple[str, dict[str, str]]:
    lines = ["menu:"]
    texts: dict[str, str] = {}
    for number in range(PAGES):
        ident = "main" if number == 0 else f"p{number}"
        children = [
            f"p{c}" for c in range(number * FANOUT + 1, min(PAGES, number * FANOUT + FANOUT + 1))
        ]
        title = f"Seite {number}"
        text = f"Hier finden Sie <b>Hilfe</b> zum Thema {number}. " * rng.randint(1, 4)
        lines += [f"  - id: {ident}", f"    title: {title}", f'    text: "{text.strip()}"']
        if children:
            lines.append(f"    children: [{', '.join(children)}]")
        else:
            lines.append(f"    services: t{number % 10}")
        texts[f"menu.{ident}.title"] = title
        texts[f"menu.{ident}.text"] = text.strip()
    return "\n".join(lines) + "\n", texts


def _services(rng: random.Random, region: str, count: int, offset: int) -> str:
    lines = ["services:"]
    hours = [
        "Mo-Fr 09:00-16:00; PH off",
        "Mo,We 14:00-18:00",
        "Mo-Th 09:00-12:00,13:00-16:00; Fr 09:00-13:00",
    ]
    for number in range(offset, offset + count):
        lat, lon = 51.2 + rng.random() * 0.4, 6.6 + rng.random() * 0.9
        lines += [
            f"  - id: s{number}",
            f"    name: Beratungsstelle {number}",
            f"    topics: [t{number % 10}, t{(number + 3) % 10}]",
            f"    region: {region}",
            f'    address: {{street: Straße {number}, postal_code: "4{number % 10000:04d}", city: Stadt}}',
            f"    location: {{lat: {lat:.5f}, lon: {lon:.5f}}}",
            f"    phone: 0231 {100000 + number}",
            f"    opening_hours: {hours[number % 3]}",
            f"    languages: [de, {LANGUAGES[number % 12]}]",
            "    accessibility: {wheelchair: yes, sign_language: false}",
            "    verified_on: 2026-10-01",
        ]
    return "\n".join(lines) + "\n"


def generate(root: Path, seed: int = 7) -> Path:
    """Write the synthetic content folder below ``root`` and return it."""
    rng = random.Random(seed)
    folder = root / "content"
    (folder / "services").mkdir(parents=True)
    (folder / "translations").mkdir()
    languages = ["source_language: de", "languages:"] + [
        f"  - {{code: {code}, name: L{code}, status: reviewed, fallback: [de]}}"
        for code in LANGUAGES
    ]
    (folder / "languages.yaml").write_text("\n".join(languages) + "\n", encoding="utf-8")
    topics = ["topics:"] + [f"  - {{id: t{n}, name: Thema {n}}}" for n in range(10)]
    regions = ["regions:"] + [
        f"  - {{id: r{n}, name: Region {n}, center: {{lat: 51.4, lon: 7.0}}}}" for n in range(4)
    ]
    menu, texts = _menu(rng)
    texts.update({f"topic.t{n}.name": f"Thema {n}" for n in range(10)})
    texts.update({f"region.r{n}.name": f"Region {n}" for n in range(4)})
    (folder / "topics.yaml").write_text("\n".join(topics) + "\n", encoding="utf-8")
    (folder / "regions.yaml").write_text("\n".join(regions) + "\n", encoding="utf-8")
    (folder / "menu.yaml").write_text(menu, encoding="utf-8")
    per_region = SERVICES // 4
    for n in range(4):
        path = folder / "services" / f"r{n}.yaml"
        path.write_text(_services(rng, f"r{n}", per_region, n * per_region), encoding="utf-8")
    for code in LANGUAGES[1:]:
        lines = ["translations:", f"  language: {code}", "  texts:"]
        for key, german in texts.items():
            lines += [
                f"    {key}:",
                f"      from: {source_hash(german)}",
                f'      text: "[{code}] {german}"',
            ]
        (folder / "translations" / f"{code}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    return folder


def main(repeat: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp))
        size = sum(p.stat().st_size for p in folder.rglob("*.yaml"))
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            report = check_content(folder)
            timings.append(time.perf_counter() - started)
        assert not report.errors, report.errors[:3]
    # Peak resident memory of this process and of the largest worker it started (ru_maxrss: KB).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    median = statistics.median(timings)
    print(
        f"content_load: {PAGES} pages × {len(LANGUAGES)} languages, {SERVICES} services "
        f"({size / 1e6:.1f} MB YAML): load + check median {median:.2f} s "
        f"(min {min(timings):.2f} s, {repeat} runs; target < 3 s); peak memory {peak:.0f} MB "
        f"(largest worker {worker:.0f} MB)"
    )
    return {
        "yaml_mb": round(size / 1e6, 1),
        "median_s": round(median, 2),
        "min_s": round(min(timings), 2),
        "runs": repeat,
        "peak_rss_mb": round(peak),
        "worker_peak_rss_mb": round(worker),
    }


if __name__ == "__main__":
    main()
