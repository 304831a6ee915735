"""Whatever an operator writes into config.yaml, the answer is one line naming the file, never a traceback."""

from __future__ import annotations

import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings, load_settings
from bot.errors import ConfigError

EXAMPLES = int(os.environ.get("LOTSE_FUZZ_EXAMPLES", "150"))
KEYS = [
    "telegram", "token", "base_url", "mode", "webhook", "listen", "port", "url", "secret_token",
    "database", "content", "path", "timezone", "environment", "admins", "teams", "fallback_team",
    "retention_days", "encryption_key", "follow_up", "remind_after_hours", "escalate_after_hours",
    "digest_time", "name", "chat_id", "languages", "office_hours", "dortmund", "x",
]  # fmt: skip
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
    st.sampled_from(["webhook", "polling", "production", "Europe/Berlin", "Mo-Fr 08:00-18:00",
                     "sqlite:///x.db", "postgresql://u@h/db", "https://x", "-1001", "de"]),
)  # fmt: skip
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=6)
    ),
    max_leaves=30,
)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _load(tmp_path, text: str) -> Settings | ConfigError:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        return load_settings(path, environ={})
    except ConfigError as error:
        message = str(error)
        assert "\n" not in message.strip(), message
        assert "config.yaml" in message, message
        return error


@FUZZ
@given(body=documents)
def test_any_structure_is_loaded_or_refused_in_one_line(tmp_path, body):
    _load(tmp_path, yaml.safe_dump(body, allow_unicode=True))


@FUZZ
@given(text=st.text(max_size=400))
def test_any_text_is_loaded_or_refused_in_one_line(tmp_path, text):
    _load(tmp_path, text)


def test_broken_yaml_names_the_line():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        error = _load(Path(folder), "telegram:\n  token: [unclosed\nteams: {\n")
    assert isinstance(error, ConfigError)
    assert "config.yaml:" in str(error)
