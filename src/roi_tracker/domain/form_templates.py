"""Release form templates: the wording of each kind's form, its required statements, and plain language.

A template version is immutable: an administrator writes a new version, never edits an old one, and every
authorization signed on screen names the version it was signed on (H-P1, 164.508(c)(3)).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from roi_tracker.domain.consent import PART2_KINDS
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import Problem
from roi_tracker.domain.consent import Severity
from roi_tracker.domain.consent import Statement

# The wording's sections, in the order the form prints them; `intro` is the form's opening paragraph.
SECTIONS = ("intro", "right_to_revoke", "no_conditioning", "consequences_of_refusal", "redisclosure")
SECTION_LIMIT = 2000
# Plain language (H-P1): a sentence a client must read before signing stays short.
LONGEST_SENTENCE_WORDS = 40


@dataclass(frozen=True)
class Wording:
    """One template version's words: a title and a paragraph per section ({practice} names the practice)."""

    title: str
    sections: dict[str, str]

    def section(self, name: str) -> str:
        """Return the paragraph of a section, empty when the wording has none."""
        return self.sections.get(name, "").strip()


def required_sections(kind: Kind) -> dict[str, str]:
    """Return the sections a kind's form must carry, each with the rule that needs it."""
    needed = {"right_to_revoke": "H-S1", "no_conditioning": "H-S2", "redisclosure": "H-S3"}
    if kind is Kind.PART2_TPO:
        # A TPO consent states redisclosure and the consequences of refusing to sign (2.31(a)(10)).
        needed |= {"consequences_of_refusal": "P2-10", "redisclosure": "P2-10"}
    return needed


def statements_of(kind: Kind, wording: Wording) -> frozenset[Statement]:
    """Return the statements a form printed from this wording carries (the client's name always is)."""
    present = {Statement(name) for name in SECTIONS[1:] if wording.section(name)}
    if kind in PART2_KINDS:
        present.add(Statement.PATIENT_NAME)  # every printed form names the patient (2.31(a)(1))
    return frozenset(present)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def check(kind: Kind, wording: Wording) -> list[Problem]:
    """Return every problem of a new version's wording: required statements, plain language, limits."""
    problems: list[Problem] = []
    if not wording.title.strip():
        problems.append(Problem("H-P1", Severity.BLOCK, "title", "Give the form a title."))
    if not wording.section("intro"):
        problems.append(Problem("H-P1", Severity.BLOCK, "intro", "Write the form's opening paragraph."))
    for name, rule in required_sections(kind).items():
        if not wording.section(name):
            words = name.replace("_", " ")
            problems.append(Problem(rule, Severity.BLOCK, name, f"The {kind.value} form must state {words}."))
    for name in sorted(set(wording.sections) - set(SECTIONS)):
        problems.append(Problem("H-P1", Severity.BLOCK, name, f"Unknown section {name!r}."))
    for name in SECTIONS:
        text = wording.section(name)
        if len(text) > SECTION_LIMIT:
            problems.append(
                Problem("H-P1", Severity.BLOCK, name, f"Keep each section under {SECTION_LIMIT} characters.")
            )
        long = [s for s in _sentences(text) if len(s.split()) > LONGEST_SENTENCE_WORDS]
        if long:
            problems.append(
                Problem(
                    "H-P1",
                    Severity.BLOCK,
                    name,
                    f"Plain language: a sentence has more than {LONGEST_SENTENCE_WORDS} words; split it.",
                )
            )
    return problems


_REVOKE = (
    "You may cancel (revoke) this permission at any time by writing to {practice}. Hand or mail your "
    "signed note to our office. Cancelling does not undo what we already shared because of this form."
)
_NOT_CONDITIONED = (
    "Signing is your choice. {practice} will not refuse you treatment, payment, enrollment or "
    "benefits if you do not sign."
)
_REDISCLOSE = (
    "Once we share your information, the person who receives it may share it again. Federal privacy "
    "law may then no longer protect it."
)
_PART2_REDISCLOSE = (
    "Your substance use records are protected by federal law (42 CFR part 2). The person who receives "
    "them may share them again only as that law allows, and they may then no longer be protected."
)
_PART2_REVOKE = (
    "You may cancel (revoke) this consent at any time by writing to {practice}, except for what we "
    "already did because of it."
)
_TPO_REFUSAL = (
    "If you do not sign, {practice} will still treat you. We may not be able to bill your health plan, "
    "and other providers may not see your substance use treatment records."
)


def _wording(title: str, intro: str, *, part2: bool = False, tpo: bool = False) -> Wording:
    sections = {
        "intro": intro,
        "right_to_revoke": _PART2_REVOKE if part2 else _REVOKE,
        "no_conditioning": _NOT_CONDITIONED,
        "redisclosure": _PART2_REDISCLOSE if part2 else _REDISCLOSE,
    }
    if tpo:
        sections["consequences_of_refusal"] = _TPO_REFUSAL
    return Wording(title, sections)


# The defaults the product ships: version 1 of every kind, in plain language.
DEFAULTS: dict[Kind, Wording] = {
    Kind.HIPAA: _wording(
        "Permission to share health information",
        "With this form you let {practice} share the health information described below with the "
        "person or organization named below, for the reason given.",
    ),
    Kind.PSYCHOTHERAPY_NOTES: _wording(
        "Permission to share psychotherapy notes",
        "Psychotherapy notes are your therapist's own session notes, kept apart from the rest of your "
        "record. With this form you let {practice} share only these notes, with the person named below.",
    ),
    Kind.PART2: _wording(
        "Consent to share substance use treatment records",
        "With this form you let {practice} share the substance use treatment information described "
        "below with the person or organization named below, for the reason given.",
        part2=True,
    ),
    Kind.PART2_TPO: _wording(
        "Consent to share substance use records for treatment, payment and operations",
        "With this form you let {practice} share your substance use treatment records for your treatment, "
        "to get paid for your care, and to run our program.",
        part2=True,
        tpo=True,
    ),
    Kind.PART2_COUNSELING_NOTES: _wording(
        "Consent to share substance use counseling notes",
        "Counseling notes are your counselor's own session notes, kept apart from the rest of your "
        "record. With this form you let {practice} share only these notes, with the person named below.",
        part2=True,
    ),
    Kind.PART2_LEGAL_PROCEEDINGS: _wording(
        "Consent to use substance use records in a legal proceeding",
        "With this form you let {practice} share the substance use treatment records described below "
        "for use in the legal proceeding named below, and for nothing else.",
        part2=True,
    ),
}


def shipped_id(kind: Kind) -> uuid.UUID:
    """The id of the shipped version 1 of a kind: the same in every instance, stored or not yet stored."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://roi-tracker.invalid/form-templates/{kind.value}/1")
