"""The portals file and the plugin registries fail loudly and say what they know."""

import pytest

from harvesters import get_harvester
from harvesters.errors import UnknownHarvester
from mappings.portals import PortalConfigError, load_portals, parse_portals
from mappings.profiles.base import UnknownProfile, get_profiles
from service.config import default_portals_file
from service.search import UnknownBackend, get_backend


def test_bundled_portals_are_the_four_real_ones():
    portals = {p.id: p for p in load_portals(default_portals_file())}
    assert set(portals) == {"paris", "lyon", "montpellier", "datagouv"}
    assert portals["paris"].url == "https://opendata.paris.fr" and portals["paris"].kind == "opendatasoft"
    assert portals["datagouv"].host == "www.data.gouv.fr"
    assert all(p.schedule for p in portals.values())


@pytest.mark.parametrize(
    "text,message",
    [
        ("[[portal]]\nid='a'\nkind='dcat'\n", "lacks url"),
        ("[[portal]]\nid='A B'\nkind='dcat'\nurl='http://x'\n", "must be lower-case"),
        ("[[portal]]\nid='a'\nkind='dcat'\nurl='ftp://x'\n", "http or https"),
        ("[[portal]]\nid='a'\nkind='dcat'\nurl='http://x'\n[[portal]]\nid='a'\nkind='dcat'\nurl='http://y'\n", "duplicate"),
        ("not toml [", "invalid TOML"),
    ],
)
def test_bad_portal_files(text, message):
    with pytest.raises(PortalConfigError, match=message):
        parse_portals(text)


def test_missing_portals_file():
    with pytest.raises(PortalConfigError, match="cannot read"):
        load_portals("/nonexistent/portals.toml")


def test_options_are_kept():
    (portal,) = parse_portals("[[portal]]\nid='a'\nkind='dcat'\nurl='http://x'\npage_size=50\n")
    assert portal.options == {"page_size": 50}


def test_unknown_plugins_fail_loudly_listing_the_known_ones():
    with pytest.raises(UnknownHarvester, match="Known kinds: .*dcat"):
        get_harvester("ckan-ish")
    with pytest.raises(UnknownBackend, match="Known backends: .*tantivy"):
        get_backend("mongo")
    with pytest.raises(UnknownProfile, match="Unknown export profiles: nope. Known profiles: .*dcat_ap_3"):
        get_profiles(["dcat_ap_3", "nope"])


def test_public_url_is_where_records_point_whichever_address_is_harvested():
    (portal,) = parse_portals("[[portal]]\nid='a'\nkind='geonetwork'\nurl='http://127.0.0.1:9/csw'\npublic_url='https://x.org/csw'\n")
    assert (portal.public_base, portal.options) == ("https://x.org/csw", {})
    (plain,) = parse_portals("[[portal]]\nid='a'\nkind='dcat'\nurl='http://x'\n")
    assert plain.public_base == "http://x"
    with pytest.raises(PortalConfigError, match="public_url"):
        parse_portals("[[portal]]\nid='a'\nkind='dcat'\nurl='http://x'\npublic_url='ftp://x'\n")
