"""Which paper the app prints on: US Letter where offices use it, A4 everywhere else."""

from __future__ import annotations

import pytest

from lastmile_desktop.paper import Paper, usual_paper


@pytest.mark.parametrize(
    ("country", "paper"),
    [
        ("US", Paper.LETTER),
        ("ca", Paper.LETTER),
        ("MX", Paper.LETTER),
        ("PH", Paper.LETTER),
        ("GB", Paper.A4),
        ("FR", Paper.A4),
        ("AU", Paper.A4),
        ("JP", Paper.A4),
    ],
)
def test_the_country_decides_the_paper(country: str, paper: Paper) -> None:
    assert usual_paper(country) is paper


@pytest.mark.parametrize(
    ("locale", "paper"),
    [
        ("en_US.UTF-8", Paper.LETTER),
        ("fr_CA", Paper.LETTER),
        ("English_United States", Paper.LETTER),  # how Windows names its locales
        ("en_GB.UTF-8", Paper.A4),
        ("C", Paper.A4),  # no country: A4, the world's paper
        ("", Paper.A4),
    ],
)
def test_without_a_country_the_computer_s_locale_decides(
    monkeypatch: pytest.MonkeyPatch, locale: str, paper: Paper
) -> None:
    monkeypatch.setattr("lastmile_desktop.countries.locale_name", lambda: locale)
    assert usual_paper() is paper
    assert paper.label == ("US Letter" if paper is Paper.LETTER else "A4")
