"""The deployment files: compose.yaml validates against the Compose schema, the image's build steps work.

There is no Docker engine on CI's machine, so the Dockerfile's install steps are repeated here in a
fresh virtual environment (the same ``uv sync`` lines, the same build-time checks, the same entry
point). hadolint checks the Dockerfile itself (``make lint-docker``, run by ``.ci/run``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.config import ENVIRONMENT_OVERRIDES

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "compose-spec" / "compose_spec.json"


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))


def test_compose_file_validates_against_the_compose_schema() -> None:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.Draft7Validator(schema).validate(_compose())


def test_compose_runs_the_bot_on_postgresql_and_redis_with_secrets_from_the_env_file() -> None:
    compose = _compose()
    bot = compose["services"]["bot"]
    environment = bot["environment"]
    assert set(compose["services"]) >= {"bot", "db", "redis", "proxy"}
    assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert environment["BOT_REDIS_URL"].startswith("redis://")
    assert environment["BOT_MODE"] == "webhook"
    assert bot["env_file"] == ".env"
    # Every variable the bot gets is one the configuration knows; secrets are not in the file.
    assert set(environment) <= set(ENVIRONMENT_OVERRIDES)
    assert not {"BOT_TOKEN", "BOT_ENCRYPTION_KEY", "BOT_WEBHOOK_SECRET"} & set(environment)
    example = (ROOT / ".env.example").read_text("utf-8")
    for secret in ("BOT_TOKEN", "BOT_ENCRYPTION_KEY", "BOT_WEBHOOK_SECRET", "POSTGRES_PASSWORD"):
        assert f"{secret}=" in example
    mounts = {volume.split(":")[1] for volume in bot["volumes"]}
    assert mounts == {"/app/config.yaml", "/app/content"}
    for volume in (*bot["volumes"], *compose["services"]["proxy"]["volumes"]):
        source = volume.split(":")[0]
        if source.startswith("./") and source != "./config.yaml":
            assert (ROOT / source).exists(), source


def _dockerfile_runs() -> list[str]:
    """The RUN instructions of the Dockerfile's build stage, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    build = text.split("FROM ", 2)[1]
    return [line[4:].strip() for line in build.splitlines() if line.startswith("RUN ")]


def test_dockerfile_is_multi_stage_non_root_with_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) == 2
    runtime = text.split("AS runtime", 1)[1]
    assert re.search(r"^USER [1-9]\d*$", runtime, re.MULTILINE)
    assert "HEALTHCHECK" in runtime and "/healthz" in runtime
    assert "uv sync --locked" in text


@pytest.mark.skipif(os.name != "posix", reason="the image is Linux")
def test_the_images_build_steps_install_and_start_in_a_fresh_environment(tmp_path: Path) -> None:
    """Repeat the build stage: uv sync from uv.lock into a new venv, the checks, the entry point."""
    uv = Path(sys.executable).parent / "uv"
    assert uv.exists(), "uv is installed into .venv by `make install`"
    app = tmp_path / "app"
    app.mkdir()
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        (app / name).write_bytes((ROOT / name).read_bytes())
    for folder in ("bot", "content", "locales"):
        subprocess.run(["cp", "-r", str(ROOT / folder), str(app / folder)], check=True)
    venv = app / ".venv"
    env = {
        **os.environ,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON": sys.executable,
        "UV_LINK_MODE": "copy",
        "UV_COMPILE_BYTECODE": "0",
    }
    env.pop("VIRTUAL_ENV", None)
    runs = _dockerfile_runs()
    assert runs[0].startswith("pip install")
    for command in runs[1:]:
        words = shlex.split(command.replace("/app/", f"{app}/"))
        if words[0] == "uv":
            words[0] = str(uv)
            subprocess.run([*words, "--quiet"], cwd=app, env=env, check=True, timeout=300)
        else:  # the build-time checks, with the fresh environment's python and lotse
            subprocess.run(command.replace("/app/", f"{app}/"), shell=True, cwd=app, env=env,
                           check=True, timeout=300, capture_output=True)  # fmt: skip
    # Installed as a package, not from the source tree: the entry point of CMD runs.
    done = subprocess.run(
        [str(venv / "bin" / "lotse"), "--version"], cwd=tmp_path, env=env, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    assert done.stdout.startswith("lotse ")
    assert not (venv / "bin" / "pytest").exists(), "the image installs no development tools"
