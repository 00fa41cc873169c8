"""Settings: declared once, read from the environment, documented in the README."""


import pytest

from service.config import SETTINGS, Settings, SettingsError
from tests.paths import ROOT

README = ROOT / "README.md"


def test_defaults():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.portals_path.endswith("portals.toml")


def test_values_are_parsed():
    settings = Settings.from_env(
        {"FEDCAT_EXPORT_PROFILES": "dcat_ap_3, extra", "FEDCAT_MAX_PAGES": "5", "FEDCAT_DELETE_GRACE_DAYS": "0"}
    )
    assert settings.export_profiles == ("dcat_ap_3", "extra")
    assert settings.max_pages == 5 and settings.delete_grace_days == 0


@pytest.mark.parametrize("name,value", [("FEDCAT_MAX_PAGES", "0"), ("FEDCAT_HTTP_TIMEOUT", "soon")])
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_readme_documents_every_setting(setting):
    assert f"`{setting.env}`" in README.read_text(encoding="utf-8")
