"""The pure rules of signing in the office: template wording, the form's content and hash, e-signatures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from roi_tracker.domain import form_templates
from roi_tracker.domain import signing
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import Statement

HIPAA = form_templates.DEFAULTS[Kind.HIPAA]
FORM = signing.Form(
    kind=Kind.HIPAA,
    template_version=1,
    wording=HIPAA,
    practice="Lakeside Counseling",
    client_name="Zoe Okafor",
    client_reference="C-AB12",
    recipient="Dr Ana Rivera",
    categories=("diagnosis",),
    purposes=("continuity_of_care",),
    expires_on=date(2026, 12, 31),
)
SIGNED = signing.Signature(signing.Method.TYPED, "Zoe Okafor", intent=True, electronic_consent=True)


def rules_of(kind: Kind, wording: form_templates.Wording) -> list[str]:
    """The rule ids of every problem of the wording."""
    return [p.rule for p in form_templates.check(kind, wording)]


def without(wording: form_templates.Wording, section: str) -> form_templates.Wording:
    """The wording with one section left out."""
    return replace(wording, sections={k: v for k, v in wording.sections.items() if k != section})


@pytest.mark.parametrize("kind", list(Kind))
def test_every_shipped_default_passes_the_wording_rules(kind: Kind) -> None:
    """The product's own wording of each kind carries what the law requires, in plain language."""
    assert form_templates.check(kind, form_templates.DEFAULTS[kind]) == []


@pytest.mark.parametrize(
    ("section", "rule"), [("right_to_revoke", "H-S1"), ("no_conditioning", "H-S2"), ("redisclosure", "H-S3")]
)
def test_a_wording_without_a_required_statement_is_refused_with_its_rule(section: str, rule: str) -> None:
    """Each of the three statements is required by its own rule."""
    assert rules_of(Kind.HIPAA, without(HIPAA, section)) == [rule]


def test_a_tpo_consent_must_state_the_consequences_of_refusing_to_sign() -> None:
    """P2-10: a Part 2 TPO form without the consequences of refusal is refused."""
    tpo = form_templates.DEFAULTS[Kind.PART2_TPO]
    assert rules_of(Kind.PART2_TPO, without(tpo, "consequences_of_refusal")) == ["P2-10"]


def test_plain_language_refuses_a_long_sentence_an_unknown_section_and_an_empty_title() -> None:
    """H-P1: sentences of more than 40 words, unknown sections, no title or intro, too much text."""
    long = " ".join(["word"] * 41) + "."
    sections = {**HIPAA.sections, "intro": long, "fine_print": "x", "redisclosure": "y" * 2001}
    problems = form_templates.check(Kind.HIPAA, form_templates.Wording(" ", sections))
    assert {(p.rule, p.field) for p in problems} == {
        ("H-P1", "title"),
        ("H-P1", "fine_print"),
        ("H-P1", "intro"),
        ("H-P1", "redisclosure"),
    }
    assert rules_of(Kind.HIPAA, without(HIPAA, "intro")) == ["H-P1"]


def test_a_part2_form_carries_the_patients_name_and_a_hipaa_form_its_three_statements() -> None:
    """The statements a printed form carries follow from its sections (and the name for Part 2)."""
    assert form_templates.statements_of(Kind.HIPAA, HIPAA) == {
        Statement.RIGHT_TO_REVOKE,
        Statement.NO_CONDITIONING,
        Statement.REDISCLOSURE,
    }
    part2 = form_templates.statements_of(Kind.PART2, form_templates.DEFAULTS[Kind.PART2])
    assert Statement.PATIENT_NAME in part2


def test_the_form_names_the_practice_the_client_and_every_element() -> None:
    """Headings and words of the form, the practice's name put in for {practice}."""
    text = dict(signing.paragraphs(FORM))
    assert text["Client"] == "Zoe Okafor (C-AB12)"
    assert text["Who may share the information"] == "Lakeside Counseling"
    assert text["Ends"] == "on 2026-12-31"
    assert "Lakeside Counseling" in text["Your right to cancel"]
    assert "{practice}" not in " ".join(text.values())


def test_the_form_states_a_representative_a_records_span_and_both_ends() -> None:
    """A representative's relationship and authority (H-C7), the records' dates, a date and an event."""
    form = replace(
        FORM,
        purposes=("other",),
        purpose_text="my lawyer's file",
        records_from=date(2025, 1, 1),
        expiry_event="End of treatment",
        representative=True,
        representative_name="Ruth Okafor",
        representative_relationship="mother",
        representative_authority="parent of a minor",
    )
    text = dict(signing.paragraphs(form))
    assert text["Signed for the client by"] == "Ruth Okafor (mother). Authority: parent of a minor"
    assert text["Records dated"] == "2025-01-01 to the day it is signed"
    assert text["Ends"] == "on 2026-12-31 or at this event: End of treatment, whichever comes first"
    assert text["Why"] == "my lawyer's file"
    both = dict(signing.paragraphs(replace(form, purposes=("legal", "other"))))
    assert both["Why"] == "legal; my lawyer's file"


def test_the_hash_changes_with_any_word_of_the_form() -> None:
    """Another recipient is another form: its SHA-256 differs; the same form hashes the same."""
    assert signing.content_sha256(FORM) == signing.content_sha256(replace(FORM))
    assert signing.content_sha256(FORM) != signing.content_sha256(replace(FORM, recipient="Someone else"))


def test_a_complete_signature_has_no_problems() -> None:
    """Intent, consent, a name and the hash of the form shown: nothing to say."""
    sha = signing.content_sha256(FORM)
    assert signing.problems(replace(SIGNED, form_sha256=sha.upper()), content_sha256=sha) == []


def test_every_missing_need_of_a_signature_is_named_at_once() -> None:
    """No intent, no consent, no name, an empty drawing and a changed form: E-S1..E-S4."""
    bad = signing.Signature(signing.Method.DRAWN, " ", False, False, marks=0, form_sha256="0" * 64)
    found = [p.rule for p in signing.problems(bad, content_sha256=signing.content_sha256(FORM))]
    assert found == ["E-S1", "E-S2", "E-S3", "E-S3", "E-S4"]
