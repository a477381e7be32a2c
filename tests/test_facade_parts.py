"""What the views reach through the facade (tests/test_layers.py: nothing below it): the error classes
defined in collabatlas.errors and re-exported where they are raised, the facade's light modules, and the
engine declarations a view asks instead of testing a source's name."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from collabatlas import errors
from collabatlas.atlas import inputs, reference, registry, workflows
from collabatlas.views.report_pairs import full_counts_only, refuse_options


def test_the_error_classes_are_the_ones_their_stage_raises():
    from collabatlas.affiliations.ror import RorError
    from collabatlas.counting.filters import FilterError
    from collabatlas.counting.rules import CountingError, UnknownUnitError
    from collabatlas.refdata import RefDataError
    from collabatlas.refdata.groups import GroupError
    from collabatlas.refdata.update import DownloadError
    from collabatlas.sources.openalex_api import FetchError, FetchNetworkError
    from collabatlas.store.schema import StoreError, StorePathError

    assert (FilterError, CountingError, GroupError, RefDataError, DownloadError, RorError, StoreError, FetchError,
            FetchNetworkError) == (errors.FilterError, errors.CountingError, errors.GroupError, errors.RefDataError,
                                   errors.DownloadError, errors.RorError, errors.StoreError, errors.FetchError,
                                   errors.FetchNetworkError)
    # the hierarchy errors.py documents: the store and downloads failing are not the request's fault
    assert issubclass(StoreError, errors.DataError) and not issubclass(StoreError, errors.UserError)
    assert issubclass(StorePathError, StoreError) and issubclass(StorePathError, errors.UserError)
    assert issubclass(FetchNetworkError, FetchError) and issubclass(FetchError, errors.DataError)
    assert issubclass(DownloadError, RefDataError) and issubclass(RefDataError, errors.UserError)
    assert issubclass(UnknownUnitError, CountingError) and issubclass(UnknownUnitError, errors.NotFoundError)
    for cls in (FilterError, CountingError, GroupError, RorError):
        assert issubclass(cls, errors.UserError) and not issubclass(cls, errors.DataError)


def test_the_facade_modules_a_command_line_imports_stay_light():
    probe = ("import sys\nimport collabatlas.atlas.inputs, collabatlas.atlas.reference, collabatlas.atlas.workflows\n"
             "print(*(m for m in ('pandas', 'duckdb', 'altair', 'country_converter') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_facade_names_load_on_use():
    import collabatlas.atlas as facade
    from collabatlas.atlas.core import Atlas

    assert facade.Atlas is Atlas and facade.__version__ == __import__("collabatlas").__version__
    with pytest.raises(AttributeError):
        facade.no_such_name  # noqa: B018


def test_declarations_answer_what_a_source_can_do():
    works, pairs = inputs.declared("works"), inputs.declared("pairs")
    assert works.supports("factsheet") and not pairs.supports("factsheet")
    assert not full_counts_only(works) and full_counts_only(pairs)
    assert inputs.declared("works", "spark").engine == "spark"
    with pytest.raises(errors.CountingError, match="no such engine"):
        inputs.declared("pairs", "spark")


def test_options_an_engine_does_not_apply_are_refused_by_their_flag():
    pairs = inputs.declared("pairs")
    refuse_options(pairs, journals=None, rollup=False)  # not given: passes
    with pytest.raises(errors.CountingError, match=r"^--journals: not available with --source pairs$"):
        refuse_options(pairs, journals="nature-index", rollup=True)
    with pytest.raises(errors.CountingError, match=r"^--rollup: not available with --source pairs$"):
        refuse_options(pairs, journals=None, rollup=True)
    refuse_options(inputs.declared("works"), journals="nature-index", rollup=True)


def test_inputs_read_as_the_library_reads():
    assert inputs.parse_years("2015-2017") == (2015, 2017)
    assert inputs.ni_subject("chemistry") == "ni:chemistry" and "chemistry" in inputs.NI_SUBJECTS
    assert inputs.equal_halves(2015, 2021) == (["2015-2017", "2019-2021"], inputs.equal_halves(2015, 2021)[1])
    with pytest.raises(errors.CountingError, match="differ in length"):
        inputs.check_same_length(["2015-2018", "2019-2021"])
    with pytest.raises(errors.FilterError):
        inputs.check_range("--top", 0, 1)


def test_a_damaged_store_is_told_and_anything_else_is_not():
    message = workflows.damaged_store_message("atlas.duckdb", duckdb.IOException("Could not read block"))
    assert message.startswith("store atlas.duckdb: DuckDB could not read or write the file (Could not read block)")
    assert workflows.damaged_store_message("atlas.duckdb", ValueError("x")) is None


def test_an_address_file_is_read_as_exports_are(tmp_path):
    path = tmp_path / "addresses.txt"
    path.write_bytes("\ufeffKyoto University, Japan\r\nTokyo\r\n".encode())
    text, messages = registry.read_text(path)
    assert text.split("\n")[:2] == ["Kyoto University, Japan", "Tokyo"] and messages == []


def test_reference_lookups():
    assert reference.country_code("Japan") == "JP" and reference.country_code("Kyoto University") is None
    assert reference.short_names()["JP"] == "Japan"
    assert "JP" in reference.group_members("g7")
    assert reference.numeric_to_iso2()["392"] == "JP"


def test_the_pair_reports_refusals_are_worded_from_the_engines_declaration():
    """The pair report and charts name the engine as its declaration does (``called``, ``holds``,
    ``instead``, its level reason), never ``--source pairs`` literally: another declaration, other words."""
    import dataclasses

    from collabatlas.views.report_pairs import not_available, pair_country, refuse_kind, refuse_pair_filters

    table = dataclasses.replace(inputs.declared("pairs"), called="the X table", holds="X rows",
                                instead="ask Y instead", level_reason="the X table is by country")
    assert pair_country(table, " jp", "country") == "JP"
    with pytest.raises(errors.CountingError, match=r"^the X table is by country$"):
        pair_country(table, "I1", "institution")
    with pytest.raises(errors.CountingError, match=r"^the X table needs a country code \(two letters\)"):
        pair_country(table, "JPN", "country")
    refuse_pair_filters(table, None, None)
    with pytest.raises(errors.CountingError, match=r"^--subject, --type: not available with the X table, which holds "
                                                   r"X rows; ask Y instead$"):
        refuse_pair_filters(table, "Chemistry", "article")
    refuse_kind(table, "trend")
    with pytest.raises(errors.CountingError, match=r"^the landscape chart needs work-level data: not available with "
                                                   r"the X table, which draws partners, trend, map, group; ask Y"):
        refuse_kind(table, "landscape")
    assert not_available(table).endswith("not available with the X table, which holds X rows; ask Y instead")
    assert "--source" not in not_available(table)
