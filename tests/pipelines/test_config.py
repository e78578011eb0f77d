import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from audience.errors import InputError
from pipelines.cli import app
from pipelines.config import CONFIG_FILE, Settings, load_settings

runner = CliRunner()


def _documented_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str | None]]:
    found = []
    for name, field in model.model_fields.items():
        found.append((prefix + name, field.description))
        if isinstance(field.default, BaseModel):
            found += _documented_fields(type(field.default), f"{prefix}{name}.")
    return found


def test_init_writes_a_config_that_loads_back_to_the_defaults(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "ws"), "--customers", "in/customers.csv"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "ws" / CONFIG_FILE
    loaded = Settings.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    assert loaded.inputs.customers == Path("in/customers.csv")
    assert loaded.model_copy(update={"inputs": Settings().inputs}) == Settings()
    resolved = load_settings(path)
    assert resolved.inputs.customers == (tmp_path / "ws" / "in" / "customers.csv").resolve()
    assert resolved.db == (tmp_path / "ws" / "workspace.duckdb").resolve()


def test_every_key_is_explained_in_the_written_file(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path)])
    text = (tmp_path / CONFIG_FILE).read_text(encoding="utf-8")
    for key, description in _documented_fields(Settings):
        assert description, f"{key} has no docstring"
        assert f"# {description.splitlines()[0]}" in text, key


def test_init_does_not_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILE).write_text("db = 'mine.duckdb'\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "--force" in result.output
    assert (tmp_path / CONFIG_FILE).read_text(encoding="utf-8") == "db = 'mine.duckdb'\n"
    assert runner.invoke(app, ["init", str(tmp_path), "--force"]).exit_code == 0


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("max_consent_age_days = 0\n", "max_consent_age_days"),
        ("[min_audience]\nsnapchat = 5\n", "min_audience.snapchat"),
        ("[audiences]\n'Big Spenders' = 'ltv_pln > 1000'\n", "audiences"),
        ("[inputs]\nprehashed = ['ssn']\n", "inputs.prehashed"),
        ("[tiktok]\nphone_pluss = true\n", "tiktok.phone_pluss"),
    ],
)
def test_bad_keys_are_named_with_the_fix(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / CONFIG_FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_settings(path)
    assert f"- {key}" in str(raised.value)
    assert "audience init" in str(raised.value)


def test_platform_options_carry_only_the_keys_that_are_set() -> None:
    settings = Settings.model_validate({"google": {"contact_list_id": "123"}, "tiktok": {"max_file_bytes": 1000}})
    assert settings.platform_options("google") == {"contact_list_id": "123"}
    assert settings.platform_options("meta") == {}
    assert settings.platform_options("tiktok") == {"phone_plus": False, "max_file_bytes": 1000}
