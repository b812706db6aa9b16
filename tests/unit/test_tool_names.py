"""The names a tool's signature offers the model are the names the domain accepts: a Literal
written in tools/ beside a tuple or dict in domain/ would otherwise drift apart silently (the
model offered a name the domain refuses, or never offered one it takes)."""

from typing import get_args

from domain.archive import Archive
from domain.reports import KINDS as REPORT_KINDS
from domain.ro_query import SORTS
from domain.ro_search import COUNT_BY
from tools import bulk
from tools.repair_orders import ArchiveName, CountBy, SortName
from tools.reports import ReportKind


def test_count_by_names_are_the_searchs():
    assert get_args(CountBy) == COUNT_BY


def test_sort_names_are_the_querys_each_both_ways():
    assert set(get_args(SortName)) == {f"{d}{name}" for name in SORTS for d in ("", "-")}


def test_report_kinds_are_the_reports():
    assert get_args(ReportKind) == REPORT_KINDS


def test_archive_names_are_the_archives_and_all():
    assert set(get_args(ArchiveName)) == {a.value for a in Archive} | {"ALL"}
    assert set(get_args(bulk.ArchiveName)) == {a.value for a in Archive}  # a move needs one
