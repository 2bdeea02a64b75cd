"""The country list: typing part of a name or the code finds the country, Enter takes it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from lastmile_desktop.ui.region_picker import RegionPicker


def shown_picker(qtbot: QtBot, region: str | None = "FR") -> RegionPicker:
    picker = RegionPicker("Not set")
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    picker.set_region(region)
    return picker


def type_and_enter(qtbot: QtBot, picker: RegionPicker, text: str) -> None:
    picker.setFocus()
    picker.line.selectAll()
    qtbot.keyClicks(picker.line, text)
    qtbot.keyClick(picker.line, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("typed", "region"),
    [("united states", "US"), ("GB", "GB"), ("germ", "DE"), ("Ireland (IE)", "IE")],
)
def test_typing_part_of_a_name_or_the_code_then_enter_picks_the_country(
    qtbot: QtBot, typed: str, region: str
) -> None:
    picker = shown_picker(qtbot)
    with qtbot.waitSignal(picker.region_chosen, timeout=1000) as chosen:
        type_and_enter(qtbot, picker, typed)
    assert chosen.args == [region]
    assert picker.region() == region


def test_text_that_names_no_country_keeps_the_one_chosen(qtbot: QtBot) -> None:
    picker = shown_picker(qtbot)
    announced: list[object] = []
    picker.region_chosen.connect(announced.append)
    type_and_enter(qtbot, picker, "xyzzy")
    assert picker.region() == "FR"
    assert picker.currentText() == "France (FR)"
    assert announced == []


def test_a_country_picked_in_the_matches_is_announced_once(qtbot: QtBot) -> None:
    picker = shown_picker(qtbot)
    announced: list[object] = []
    picker.region_chosen.connect(announced.append)
    picker.setFocus()
    picker.line.selectAll()
    qtbot.keyClicks(picker.line, "kingdom")
    popup = picker.matches.popup()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert announced == ["GB"]


def test_setting_a_region_from_the_program_announces_nothing(qtbot: QtBot) -> None:
    picker = shown_picker(qtbot, None)
    announced: list[object] = []
    picker.region_chosen.connect(announced.append)
    assert picker.region() is None and picker.currentText() == "Not set"
    picker.set_region("jp")
    assert picker.region() == "JP" and picker.currentText() == "Japan (JP)"
    assert announced == []
