import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from audience.errors import InputError
from pipelines.cli import app
from pipelines.config import CONFIG_FILE, Settings, documented_toml, load_settings

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
        ("[inputs]\nprehashed = ['device_id']\n", "inputs.prehashed"),
        ("[tiktok]\nphone_pluss = true\n", "tiktok.phone_pluss"),
        ("default_region = 'XX'\n", "default_region: Value error, 'XX' is not a region phonenumbers knows"),
        ("default_region = 'gb'\n", "default_region: Value error, 'gb' is not a region phonenumbers knows"),
    ],
)
def test_bad_keys_are_named_with_the_fix(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / CONFIG_FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_settings(path)
    assert f"- {key}" in str(raised.value)
    assert "audience init" in str(raised.value)


def test_a_dask_address_selects_the_dask_engine_unless_an_engine_is_set(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_FILE
    path.write_text('dask_address = "tcp://scheduler:8786"\n', encoding="utf-8")
    assert load_settings(path).engine == "dask"
    path.write_text('engine = "local"\ndask_address = "tcp://scheduler:8786"\n', encoding="utf-8")
    assert load_settings(path).engine == "local"
    assert Settings().engine == "local"


LOYAL = "[audiences]\nloyal = 'orders_12m >= 5'\n"


@pytest.mark.parametrize(
    ("text", "key", "fix"),
    [
        ("[google.audiences.vip]\ncontact_list_id = '1'\n", "google.audiences.vip",
         "no audience is named 'vip' (there are all); rename the table [google.audiences.vip]"),
        ("[google]\ncontact_list_id = '1'\nmobile_list_id = '1'\n", "google.mobile_list_id",
         "mixed data types are not allowed on one list"),
        (LOYAL + "[google]\ncontact_list_id = '1'\n[google.audiences.loyal]\ncontact_list_id = '1'\n",
         "google.audiences.loyal.contact_list_id", "list 1 is also google.contact_list_id; audiences all and loyal"),
        (LOYAL + "[google.audiences.all]\nmobile_list_id = '2'\n[google.audiences.loyal]\ncontact_list_id = '2'\n",
         "google.audiences.loyal.contact_list_id", "list 2 is also google.audiences.all.mobile_list_id"),
        ("[google]\noperating_account_id = '123-456-7890'\n", "google.operating_account_id", "digits only"),
        (LOYAL + "[google.audiences.loyal]\nmobile_list_id = 'list 7'\n", "google.audiences.loyal.mobile_list_id",
         "digits only"),
        ("[tiktok]\nmax_file_bytes = 250000001\n", "tiktok.max_file_bytes", "from 65 to 249000000"),
        ("[tiktok]\nmax_file_bytes = 64\n", "tiktok.max_file_bytes", "from 65 to 249000000"),
        ("[google]\nbatch_size = 10001\n", "google.batch_size", "from 1 to 10000"),
        ("[meta]\nbatch_size = 0\n", "meta.batch_size", "from 1 to 10000"),
    ],
    ids=["unknown-audience", "contact-is-mobile", "shared-with-all", "shared-with-all-own-table", "account-dashes",
         "list-not-digits", "tiktok-too-large", "tiktok-too-small", "google-batch", "meta-batch"],
)
def test_platform_options_the_writers_would_refuse_stop_at_load(tmp_path: Path, text: str, key: str, fix: str) -> None:
    path = tmp_path / CONFIG_FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_settings(path)
    assert f"- {key}: " in str(raised.value)
    assert fix in str(raised.value)


def test_every_audience_may_have_its_own_google_lists(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_FILE
    path.write_text(LOYAL + "[google]\noperating_account_id = 1234567890\ncontact_list_id = 1\nmobile_list_id = 2\n"
                    "[google.audiences.loyal]\ncontact_list_id = '3'\nmobile_list_id = '4'\n"
                    "[tiktok]\nmax_file_bytes = 65\n", encoding="utf-8")
    settings = load_settings(path)
    assert settings.google.operating_account_id == "1234567890"
    assert settings.google.audiences["loyal"].mobile_list_id == "4"
    path.write_text(documented_toml(settings), encoding="utf-8")
    assert load_settings(path) == settings
    for given in (settings, Settings()):  # dumped and validated again, as flags and Prefect parameters do
        assert Settings.model_validate(given.model_dump()) == given
        assert Settings.model_validate(given.model_dump(mode="json")) == given


def test_init_documents_the_per_audience_google_lists(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path)])
    text = (tmp_path / CONFIG_FILE).read_text(encoding="utf-8")
    assert "# [google.audiences.loyal]\n# This audience's Customer Match list for emails" in text


def test_platform_options_carry_only_the_keys_that_are_set() -> None:
    settings = Settings.model_validate({
        "audiences": {"loyal": "orders_12m >= 5"},
        "google": {"contact_list_id": "123", "audiences": {"loyal": {"mobile_list_id": "456"}}},
        "tiktok": {"max_file_bytes": 1000},
    })
    assert settings.platform_options("google") == {
        "contact_list_id": "123", "audiences": {"loyal": {"mobile_list_id": "456"}},
    }
    assert settings.platform_options("meta") == {}
    assert settings.platform_options("tiktok") == {"phone_plus": False, "max_file_bytes": 1000}


def test_init_keeps_input_files_given_from_where_it_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "customers.csv").write_text("customer_id\nC1\n", encoding="utf-8")
    result = runner.invoke(app, ["init", "work/ws", "--customers", "inputs/customers.csv",
                                 "--consent", "later/consent.csv"])
    assert result.exit_code == 0, result.output
    resolved = load_settings(tmp_path / "work" / "ws" / CONFIG_FILE)
    assert resolved.inputs.customers.resolve() == (tmp_path / "inputs" / "customers.csv").resolve()
    assert resolved.inputs.consent == (tmp_path / "work" / "ws" / "later" / "consent.csv").resolve()
