"""The Panoramica's to-do list."""

from studio.pure.overview import missing_items


def keys(doc):
    return [k for k, _, _ in missing_items(doc)]


def test_an_empty_community_lacks_members_and_plants():
    doc = {"members": [], "plants": [], "cabine": [{"id": "CP-1"}]}
    assert keys(doc) == ["panoramica.missing.members", "panoramica.missing.plants", "panoramica.missing.area"]


def test_members_without_load_or_position_are_listed_with_their_page():
    doc = {"members": [{"id": "a", "name": "Anna", "kind": "consumer", "lat": 45, "lon": 9},
                       {"id": "b", "kind": "producer"},                 # a producer may have no load
                       {"id": "c", "kind": "prosumer", "load": {"source": "profile"}}],
           "plants": [{"id": "p"}], "cabine": [{"id": "CP", "area": {"type": "Polygon", "coordinates": []}}]}
    items = missing_items(doc)
    assert [k for k, _, _ in items] == ["panoramica.missing.load", "panoramica.missing.location"]
    assert items[0][1] == {"n": 1, "names": "Anna"} and items[0][2] == "pages/membri.py"
    assert items[1][1] == {"n": 2} and items[1][2] == "pages/mappa.py"


def test_a_complete_community_lacks_nothing():
    doc = {"members": [{"id": "a", "kind": "consumer", "load": {"source": "file"}, "lat": 1, "lon": 1},
                       {"id": "b", "kind": "producer", "lat": 1, "lon": 1}],
           "plants": [{"id": "p"}], "cabine": []}
    assert missing_items(doc) == []


def test_kwp_by_member_and_cabine_count():
    from studio.pure.overview import cabine_count, kwp_by_member

    doc = {"members": [{"id": "a", "cabina": "CP-1"}, {"id": "b", "cabina": "CP-9"}],
           "plants": [{"member": "a", "kwp": 10}, {"member": "a", "kwp": 2.5}, {"member": "b", "kwp": None}],
           "cabine": [{"id": "CP-1"}, {"id": "CP-2"}]}
    assert kwp_by_member(doc) == {"a": 12.5, "b": 0.0}
    assert cabine_count(doc) == 3                 # declared ones and any other a member names
