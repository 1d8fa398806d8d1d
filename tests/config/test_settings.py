"""Settings come from config/xinan.toml, overridden by XINAN_* variables, and fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from config.settings import PROJECT_ROOT, Settings, SettingsError
from privacy.keys import KeyRingError


def test_defaults_use_the_instance_folder_beside_the_app() -> None:
    settings = Settings.from_env({})
    assert settings.instance_path == PROJECT_ROOT / "instance"
    assert settings.effective_database_url == f"sqlite:///{PROJECT_ROOT / 'instance' / 'xinan.db'}"
    assert settings.effective_key_file == PROJECT_ROOT / "instance" / "keys.json"
    assert settings.timezone == "Asia/Shanghai"


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "XINAN_DATABASE_URL": "postgresql://db/x",
            "XINAN_GENERATE_KEYS": "no",
            "XINAN_INSTANCE_PATH": str(tmp_path),
            "XINAN_MAX_CONTENT_LENGTH": "1000",
        }
    )
    assert settings.database_url == "postgresql://db/x"
    assert settings.generate_keys is False
    assert settings.instance_path == tmp_path
    assert settings.max_content_length == 1000


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("XINAN_GENERATE_KEYS", "maybe", "generate_keys"),
        ("XINAN_MAX_CONTENT_LENGTH", "lots", "max_content_length"),
        ("XINAN_SCHEDULER", "cron", "scheduler"),
    ],
)
def test_bad_value_names_the_setting(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({variable: value})


def test_unknown_key_in_file_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "x.toml"
    toml.write_text('colour = "blue"\n')
    with pytest.raises(SettingsError, match="colour"):
        Settings.from_env({}, toml_path=toml)


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.demo = False  # type: ignore[misc]


def test_missing_key_file_beside_existing_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "xinan.db").write_bytes(b"")
    with pytest.raises(KeyRingError, match="does not exist"):
        create_app(Settings(instance_path=tmp_path, testing=True, scheduler="off"))
    assert not (tmp_path / "keys.json").exists()


def test_first_run_generates_a_private_key_file(tmp_path: Path) -> None:
    create_app(Settings(instance_path=tmp_path / "new", testing=True, scheduler="off"))
    assert (tmp_path / "new" / "keys.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
