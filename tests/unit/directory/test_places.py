"""Places without a geocoder: postal codes, names with typos, locations inside and outside."""

from __future__ import annotations

from bot.content.models import GeoPoint
from bot.directory.places import (
    district_of,
    lookup_place,
    nearest_region,
    origin_of_location,
    postal_origin,
)
from tests.helpers.content import default_content


def test_postal_code_of_a_district():
    found = lookup_place(default_content(), "Ich wohne in 44339 Dortmund")
    assert found.origin is not None and found.origin.region == "dortmund"
    assert "Eving" in found.origin.label


def test_unknown_postal_code_gets_suggestions():
    found = lookup_place(default_content(), "44999")
    assert found.origin is None
    assert found.suggestions and all(s.region == "dortmund" for s in found.suggestions)


def test_place_name_with_a_typo_and_without_umlauts():
    content = default_content()
    assert lookup_place(content, "Dusseldorf").origin.region == "duesseldorf"
    assert lookup_place(content, "mönchengladbach").origin.region == "moenchengladbach"
    assert lookup_place(content, "Rheydt").origin.region == "moenchengladbach"
    typo = lookup_place(content, "Hombrch")
    assert (typo.origin or typo.suggestions[0]).region == "dortmund"


def test_nonsense_gets_no_place():
    found = lookup_place(default_content(), "qqqqqq")
    assert found.origin is None and not found.suggestions


def test_location_inside_and_outside_the_regions():
    content = default_content()
    assert origin_of_location(content, GeoPoint(51.5136, 7.4653)).region == "dortmund"
    berlin = GeoPoint(52.52, 13.405)
    assert origin_of_location(content, berlin).region is None
    region, km = nearest_region(content, berlin)
    assert region is not None and km > 300


def test_a_postal_code_is_named_with_its_city_and_district():
    found = lookup_place(default_content(), "44137")
    assert found.origin.label == "44137 Dortmund-Innenstadt-West"
    assert found.origin.postal == "44137"
    assert postal_origin(default_content(), "44137") == found.origin
    assert postal_origin(default_content(), "4413") is None


def test_the_district_of_a_service():
    content = default_content()
    # 44135 belongs to three districts: the one nearest to the service's location wins
    assert district_of(content, content.services["do-frauenberatung-beispiel"]) == "Innenstadt-West"
    assert district_of(content, content.services["do-teilhabe-beispiel"]) == "Hörde"
