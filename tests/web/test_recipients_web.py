"""The recipients directory's pages and API: each entry's type (P2-4), edit, merge and archive (issue 17
item 6), and an exception's recipient that never shows up in a list."""

from __future__ import annotations

import html
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from roi_tracker.services.releases import recipients
from tests.web.conftest import logged
from tests.web.conftest import page_token
from tests.web.conftest import token_for

TYPES = (
    "provider",
    "health_plan",
    "payer",
    "program_operations",
    "intermediary",
    "authority",
    "attorney",
    "employer",
    "school",
    "individual",
    "other",
)


def add(browser: FlaskClient, name: str, recipient_type: str) -> str:
    """Add an entry on the directory page; return the page after the redirect."""
    response = browser.post(
        "/recipients",
        data={
            "csrf_token": page_token(browser),
            "kind": "organization",
            "type": recipient_type,
            "name": name,
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.text


def ids_named(runtime: Runtime, name: str) -> list[str]:
    """Ids of the directory entries whose details contain `name`."""
    with runtime.sessions() as session:
        return [str(r.id) for r in recipients.search(session, runtime.env, name)]


def test_the_directory_form_offers_every_type_and_keeps_the_one_chosen(
    signed_in: Callable[[str, str], FlaskClient], runtime: Runtime
) -> None:
    """The type is a choice among the eleven; it is shown in the list in plain words."""
    desk = signed_in("fran", "front_desk")
    form = desk.get("/recipients").text
    for value in TYPES:
        assert f'value="{value}"' in form
    page = add(desk, "Blue Meadow Health Plan", "health_plan")
    assert "Blue Meadow Health Plan" in page
    assert "Health plan" in page
    with runtime.sessions() as session:
        assert recipients.search(session, runtime.env, "Blue Meadow")[0].type == "health_plan"


def test_an_entry_is_edited_merged_into_another_and_archived_from_its_page(
    signed_in: Callable[[str, str], FlaskClient], runtime: Runtime
) -> None:
    """Edit corrects the type; merge moves everything and hides the duplicate; archive hides the entry."""
    desk = signed_in("fran", "front_desk")
    add(desk, "Valley Clinic", "other")
    add(desk, "Valley Clinic Inc", "provider")
    duplicate, kept = ids_named(runtime, "Valley Clinic")
    page = desk.get(f"/recipients/{duplicate}/edit")
    assert page.status_code == 200
    assert "Merge a duplicate" in page.text
    edited = desk.post(
        f"/recipients/{duplicate}/edit",
        data={
            "csrf_token": page_token(desk),
            "kind": "organization",
            "type": "provider",
            "name": "Valley Clinic",
        },
    )
    assert edited.status_code == 302
    merged = desk.post(
        f"/recipients/{duplicate}/merge", data={"csrf_token": page_token(desk), "into_id": kept}
    )
    assert merged.status_code == 302
    assert ids_named(runtime, "Valley Clinic") == [kept]
    gone = desk.get(f"/recipients/{duplicate}/edit")
    assert gone.status_code == 200
    assert "Merged on" in gone.text
    assert f"/recipients/{kept}/edit" in gone.text
    assert "Merge a duplicate" not in gone.text
    archived = desk.post(f"/recipients/{kept}/archive", data={"csrf_token": page_token(desk)})
    assert archived.status_code == 302
    assert ids_named(runtime, "Valley") == []
    assert "<strong>Valley Clinic" not in desk.get("/recipients").text
    assert [len(logged(runtime, a)) for a in (Action.RECIPIENT_UPDATED, Action.RECIPIENT_ARCHIVED)] == [1, 1]


def test_an_edit_without_a_name_is_refused_at_the_field(
    signed_in: Callable[[str, str], FlaskClient], runtime: Runtime
) -> None:
    """422, the form kept, nothing changed."""
    desk = signed_in("fran", "front_desk")
    add(desk, "Valley Clinic", "provider")
    (rid,) = ids_named(runtime, "Valley Clinic")
    response = desk.post(
        f"/recipients/{rid}/edit",
        data={"csrf_token": page_token(desk), "kind": "organization", "type": "school"},
    )
    assert response.status_code == 422
    with runtime.sessions() as session:
        assert recipients.get(session, runtime.env, recipients.parse_recipient_id(rid)).type == "provider"


def test_a_merge_without_a_target_is_refused(
    signed_in: Callable[[str, str], FlaskClient], runtime: Runtime
) -> None:
    """422 with the reason; the entry stays."""
    desk = signed_in("fran", "front_desk")
    add(desk, "Valley Clinic", "provider")
    (rid,) = ids_named(runtime, "Valley Clinic")
    response = desk.post(f"/recipients/{rid}/merge", data={"csrf_token": page_token(desk), "into_id": ""})
    assert response.status_code == 422
    assert html.escape("Choose the recipient to merge into.") in response.text
    assert ids_named(runtime, "Valley Clinic") == [rid]


def test_the_api_takes_and_answers_the_type_and_refuses_an_unknown_one(
    app: Flask, runtime: Runtime, make_user: Callable[..., object]
) -> None:
    """POST /recipients with `type`; 422 naming the field for a type not in the list; OpenAPI lists them."""
    make_user("fran", "front_desk")
    auth = {"Authorization": f"Bearer {token_for(runtime, 'fran')}"}
    api = app.test_client()
    created = api.post(
        "/api/v1/recipients", json={"name": "Regional HIE", "type": "intermediary"}, headers=auth
    )
    assert created.status_code == 201
    assert created.get_json()["type"] == "intermediary"
    default = api.post("/api/v1/recipients", json={"name": "Unsorted"}, headers=auth)
    assert default.get_json()["type"] == "other"
    refused = api.post("/api/v1/recipients", json={"name": "X", "type": "police"}, headers=auth)
    assert refused.status_code == 422
    assert "type" in refused.text
    spec = api.get("/api/v1/openapi.json").get_json()
    assert tuple(spec["components"]["schemas"]["RecipientCreate"]["properties"]["type"]["enum"]) == TYPES


def test_merging_into_an_entry_not_in_the_directory_is_bad_input_naming_into_id(
    signed_in: Callable[[str, str], FlaskClient], runtime: Runtime
) -> None:
    """The entry to merge into comes from the form: an unknown one is a 422 at `into_id`, nothing moved."""
    desk = signed_in("fran", "front_desk")
    add(desk, "Valley Clinic", "other")
    (duplicate,) = ids_named(runtime, "Valley Clinic")
    desk.get(f"/recipients/{duplicate}/edit")
    merged = desk.post(
        f"/recipients/{duplicate}/merge",
        data={"csrf_token": page_token(desk), "into_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert merged.status_code == 422
    assert ids_named(runtime, "Valley Clinic") == [duplicate]


def test_a_second_merge_or_archive_of_the_same_entry_says_what_happened_and_changes_nothing(
    signed_in: Callable[[str, str], FlaskClient], runtime: Runtime
) -> None:
    """A double click (or a form sent again from an old tab) is a 409 naming the merge, not a 404."""
    desk = signed_in("fran", "front_desk")
    add(desk, "Hill Clinic", "provider")
    add(desk, "Hill Clinic East", "provider")
    add(desk, "Hill Clinic West", "provider")
    duplicate, kept, other = ids_named(runtime, "Hill Clinic")
    merge = f"/recipients/{duplicate}/merge"
    first = desk.post(merge, data={"csrf_token": page_token(desk), "into_id": kept})
    assert first.status_code == 302
    again = desk.post(merge, data={"csrf_token": page_token(desk), "into_id": other})
    assert again.status_code == 409
    assert "was already merged into" in again.text
    assert sorted(ids_named(runtime, "Hill Clinic")) == sorted([kept, other])
    assert len(logged(runtime, Action.RECIPIENT_MERGED)) == 1
    desk.post(f"/recipients/{other}/archive", data={"csrf_token": page_token(desk)})
    twice = desk.post(f"/recipients/{other}/archive", data={"csrf_token": page_token(desk)})
    assert twice.status_code == 409
    assert "was already archived" in twice.text
    assert "Archived on" in desk.get(f"/recipients/{other}/edit").text
    assert len(logged(runtime, Action.RECIPIENT_ARCHIVED)) == 1
