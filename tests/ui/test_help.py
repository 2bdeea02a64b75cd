from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from lastmile_desktop import __version__
from lastmile_desktop.logging_setup import LOG_FILE_NAME
from lastmile_desktop.settings import user_guide_text
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.help import UserGuideDialog, user_guide_sections
from lastmile_desktop.ui.main_window import MainWindow

README = """# Last Mile

Win back lapsed customers.

![The Assign page](docs/screenshots/assign.png)

## Make targets

| Target | What it does |
| --- | --- |
| `make run` | opens the app |

## Assigning

The **Assign** page (Ctrl+2) turns an imported list into work.

```
## not a heading: inside a code block
```

## Performance

Figures.
"""


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its page in QSettings: never the user's own."""


def test_the_guide_has_the_readmes_sections_for_users_only() -> None:
    sections = user_guide_sections(README)
    assert [section.title for section in sections] == ["About Last Mile", "Assigning"]
    intro, assigning = sections
    assert "Win back lapsed customers." in intro.markdown
    assert "screenshots" not in intro.markdown  # the pictures are not shipped with the app
    assert "## not a heading: inside a code block" in assigning.markdown


def test_the_shipped_readme_gives_the_user_guide() -> None:
    titles = [section.title for section in user_guide_sections(user_guide_text())]
    for user_section in ("Where the data lives", "Assigning", "The import wizard"):
        assert user_section in titles
    for developer_section in ("Make targets", "Packaging", "Performance"):
        assert developer_section not in titles


def test_a_frozen_app_reads_the_readme_bundled_beside_its_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "README.md").write_text("# Last Mile\n\n## Assigning\n\nBundled.\n", "utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert user_guide_text() == "# Last Mile\n\n## Assigning\n\nBundled.\n"


def test_choosing_a_section_shows_it(qtbot: QtBot) -> None:
    dialog = UserGuideDialog(user_guide_sections(README))
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(1)
    text = dialog.browser.toPlainText()
    assert text.startswith("Assigning")
    assert "turns an imported list into work" in text


def test_the_help_menu_opens_the_guide_and_the_about_box(
    qtbot: QtBot, db: Database, isolated_data_dir: Path
) -> None:
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    entries = {action.text(): action for action in help_menu.actions()}
    assert entries["&User guide"].shortcut().toString() == "F1"

    entries["&About Last Mile"].trigger()
    about = window.about_box
    assert about is not None
    qtbot.addWidget(about)
    text = about.text()
    assert f"Last Mile {__version__}" in text
    assert str(db.path) in text
    assert f"<b>Data folder:</b> {isolated_data_dir}" in text
    assert str(isolated_data_dir / "logs" / LOG_FILE_NAME) in text

    entries["&User guide"].trigger()
    guide = window.user_guide
    assert guide is not None
    assert guide.isVisible()
    assert guide.section_titles()[0] == "About Last Mile"
    guide.close()
