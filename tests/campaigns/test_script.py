from __future__ import annotations

from datetime import date

import pytest

from lastmile_desktop.campaigns.script import (
    PLACEHOLDER_NAMES,
    ScriptFacts,
    ScriptTemplate,
    find_placeholders,
    render_script,
    unknown_placeholders,
)

SCRIPT = (
    "Hi {first_name}, it's {manager} from {store}. It has been {days_since_last_purchase} "
    "days since {last_purchase_date}: quote {offer_code} at the till."
)


def test_the_catalogue_holds_the_placeholders_the_issue_names() -> None:
    assert {
        "first_name",
        "last_name",
        "store",
        "days_since_last_purchase",
        "offer_code",
        "manager",
        "last_purchase_date",
    } <= PLACEHOLDER_NAMES


def test_unknown_placeholders_are_listed_once_in_order_of_appearance() -> None:
    text = "Hi {firstname} {first_name}, {discount}% off. {firstname}, see you {when}!"
    assert unknown_placeholders(text) == ["firstname", "discount", "when"]


def test_case_and_spaces_inside_braces_do_not_make_a_placeholder_unknown() -> None:
    assert unknown_placeholders("Hi { First_Name } from {STORE}") == []


def test_find_placeholders_gives_positions_for_underlining_the_unknown_ones() -> None:
    text = "Hi {first_name} and {frist_name}"
    uses = find_placeholders(text)
    assert [(u.name, u.known) for u in uses] == [("first_name", True), ("frist_name", False)]
    assert text[uses[1].start : uses[1].end] == "{frist_name}"


def test_render_fills_known_values_and_spells_dates_out() -> None:
    facts = ScriptFacts(
        first_name="Maria",
        last_name="Lopez",
        store="Store 12",
        manager="Sam",
        last_purchase_date=date(2025, 3, 3),
        offer_code="BACK20",
    )
    text = render_script(SCRIPT, facts.values(today=date(2025, 6, 5)))
    assert text == (
        "Hi Maria, it's Sam from Store 12. It has been 94 days since 3 March 2025: "
        "quote BACK20 at the till."
    )


def test_render_leaves_unknown_and_missing_placeholders_visible() -> None:
    text = "Hi {first_name} {last_name}, {mystery} awaits at {store}."
    rendered = render_script(text, {"first_name": "Maria", "last_name": None, "mystery": "x"})
    assert rendered == "Hi Maria {last_name}, {mystery} awaits at {store}."


def test_text_without_placeholders_and_stray_braces_pass_through_untouched() -> None:
    assert render_script("Price {10% off", {"first_name": "A"}) == "Price {10% off"
    assert unknown_placeholders("Plain text") == []


def test_full_name_joins_what_is_known() -> None:
    values = ScriptFacts(first_name="Maria").values(today=date(2025, 1, 1))
    assert values["full_name"] == "Maria"
    assert values["days_since_last_purchase"] is None


@pytest.mark.parametrize(
    "text",
    [
        "Hello {first_name}, it's {store}.",
        "{ First_Name }{last_name}: {frist_name} stays, {} too",
        "Only text, no placeholder",
        "{offer_code}{offer_code}",
        "",
    ],
)
def test_a_script_read_once_fills_in_exactly_as_render_script(text: str) -> None:
    values = {"first_name": "Maria", "last_name": "Lopez", "store": "Store 12", "offer_code": ""}
    assert ScriptTemplate(text).render(values) == render_script(text, values)
