from __future__ import annotations

from pathlib import Path

import pytest

from mapper.config import Config, load_config
from mapper.errors import ConfigError


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg"


def test_no_file_is_an_empty_config(tmp_path: Path, home: Path) -> None:
    assert load_config(tmp_path) == Config()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    assert load_config(tmp_path) == Config()


def test_mapper_toml_wins_and_paths_are_relative_to_it(tmp_path: Path, home: Path) -> None:
    (home / "mapper").mkdir(parents=True)
    (home / "mapper" / "config.toml").write_text('geocoder = "photon"\n', "utf-8")
    assert load_config(tmp_path).geocoder == "photon"
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mapper]\ngeocoder = "geonames"\n[tool.mapper.geocoder-options]\nusername = "me"\n',
        "utf-8",
    )
    config = load_config(tmp_path)
    assert (config.geocoder, config.geocoder_option) == ("geonames", ("username=me",))
    (tmp_path / "mapper.toml").write_text(
        'gazetteer-extra = ["mine.csv"]\nuser-agent = "t"\ngeocoder-delay = 2\n', "utf-8"
    )
    config = load_config(tmp_path)
    assert config.path == tmp_path / "mapper.toml"
    assert config.gazetteer_extra == (str(tmp_path / "mine.csv"),)
    assert (config.geocoder, config.user_agent, config.geocoder_delay) == (None, "t", 2.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("geocoder = [1]\n", "'geocoder' must be text"),
        ("gazetteer-extra = [1]\n", "must list file names"),
        ("colour = 'red'\n", "unknown key 'colour'"),
        ("geocoder = \n", "cannot read config"),
    ],
)
def test_bad_config_names_the_file(tmp_path: Path, home: Path, text: str, message: str) -> None:
    (tmp_path / "mapper.toml").write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(tmp_path)
    assert "mapper.toml" in str(caught.value)
