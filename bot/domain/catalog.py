"""The fixed classifications of a page: level and theme (platforms live in links)."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    FEDERAL = "federal"
    REGIONAL = "regional"
    MUNICIPAL = "municipal"
    SETTLEMENT = "settlement"
    INSTITUTION = "institution"


class Theme(StrEnum):
    ADMINISTRATION = "administration"
    CULTURE = "culture"
    SPORT = "sport"
    EDUCATION = "education"
    HEALTH = "health"
    SOCIAL = "social"
    YOUTH = "youth"
    SAFETY = "safety"
    ECONOMY = "economy"
    OTHER = "other"


class PageStatus(StrEnum):
    """A page waits for a coordinator, then is approved (it counts) or rejected."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
