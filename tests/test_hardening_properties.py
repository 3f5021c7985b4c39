"""Property tests (issue 17): whatever bytes or JSON arrive, the bundle reader and the scenario parser end in
exit 0 or 2 with one line per problem, never a traceback (the CLI's exit 1 is a bug in the core)."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cer_core import cli
from cer_core.api import validate
from cer_core.errors import CerInputError
from cer_core.scenario import parse_scenario
from cer_core.workspace import workspace_from_bytes
from test_hardening import bundle, patch_entry
from test_scenario import base_doc

VALID = bundle()
SETTINGS = settings(max_examples=int(os.environ.get("CER_HYPOTHESIS_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def exit_code(data: bytes, name: str = "x.zip") -> int:
    """What ``validate`` answers for ``data`` as a file: 0 or 2; anything else fails the test."""
    try:
        ws = workspace_from_bytes(data, name)
        sc, problems = validate(ws)
    except CerInputError as exc:
        assert exc.problems and all(p.message("en") for p in exc.problems)
        return 2
    assert all(isinstance(p.message("en"), str) for p in problems)
    return 0 if sc is not None else 2


def cli_exit(data: bytes, suffix: str) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "scenario" + suffix)
        with open(path, "wb") as fh:
            fh.write(data)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["--lang", "en", "validate", path])
    return code, err.getvalue()


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=12))
def test_a_bundle_with_any_bytes_changed_is_exit_0_or_2(changes):
    data = bytearray(VALID)
    for pos, value in changes:
        data[pos] = value
    assert exit_code(bytes(data)) in (0, 2)


@SETTINGS
@given(st.integers(0, len(VALID)))
def test_a_truncated_bundle_is_exit_0_or_2(cut):
    assert exit_code(VALID[:cut]) in (0, 2)


@SETTINGS
@given(entry=st.sampled_from(["scenario.json", "series/a.csv", "series/pv.csv"]),
       crc=st.none() | st.integers(0, 2**32 - 1), size=st.none() | st.integers(0, 2**32 - 1),
       method=st.none() | st.integers(0, 2**16 - 1), flags=st.none() | st.integers(0, 2**16 - 1))
def test_any_damaged_entry_header_is_exit_0_or_2(entry, crc, size, method, flags):
    assert exit_code(patch_entry(VALID, entry, crc=crc, size=size, method=method, flags=flags)) in (0, 2)


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_are_exit_0_or_2(data):
    assert exit_code(data, "x.json") in (0, 2)
    assert exit_code(b"PK\x03\x04" + data) in (0, 2)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children,
                                                                                      max_size=4),
                    max_leaves=20)
FIELDS = ["name", "year", "site", "members", "plants", "prices", "rules", "economics", "cabine", "description"]


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


PATHS = list(_paths(base_doc()))[1:]


@pytest.mark.slow
@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON), min_size=1, max_size=4))
def test_a_scenario_with_any_field_replaced_is_parsed_or_refused(replacements):
    doc = copy.deepcopy(base_doc())
    for path, value in replacements:
        node = doc
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    sc, problems = parse_scenario(doc)                 # no exception: a scenario or problems
    assert sc is not None or any(p.severity == "error" for p in problems)
    assert exit_code(json.dumps(doc).encode(), "s.json") in (0, 2)


@pytest.mark.slow
@SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6))
def test_any_json_object_is_parsed_or_refused(fields):
    doc = {"schema": "cer-studio/scenario@1", **fields}
    assert exit_code(json.dumps(doc).encode(), "s.json") in (0, 2)


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([".json", ".zip"]))
def test_the_cli_answers_0_or_2_with_no_traceback(data, suffix):
    code, err = cli_exit((b"PK\x03\x04" if suffix == ".zip" else b"") + data, suffix)
    assert code in (0, 2) and "Traceback" not in err and "internal error" not in err
