"""Names and options of the identifier rule set; its version is recorded with every exported value."""

from dataclasses import dataclass, replace
from typing import Literal

Platform = Literal["google", "meta", "tiktok"]
PLATFORMS: tuple[Platform, ...] = ("google", "meta", "tiktok")

Kind = Literal["email", "phone", "maid"]

Identifier = Literal["email", "phone", "device_id"]
"""The customer-file column each kind comes from (the pipeline's name for a kind)."""
IDENTIFIER_OF_KIND: dict[Kind, Identifier] = {"email": "email", "phone": "phone", "maid": "device_id"}

RULES_VERSION = "identifiers-2026.11.1"
"""Bump whenever a normalisation rule changes: the same input must always give the same hash under one version."""

DEFAULT_REGION = "PL"

GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


@dataclass(frozen=True, slots=True)
class PlatformRules:
    """How one platform's strings derive from the canonical forms."""

    email_cut_domains: frozenset[str] | None
    """Domains whose local part is cut at the first `+` and loses its dots; None means every domain."""
    phone_plus: bool
    """Whether the phone string keeps E.164's leading `+`."""
    maid_hashed: bool
    """Whether the platform receives advertising IDs hashed (else the canonical ID as it is)."""
    id_types: dict[str, str]
    """The platform's name for each identifier kind (device IDs by OS: `ios`, `android`, `unknown`)."""


PLATFORM_RULES: dict[Platform, PlatformRules] = {
    "google": PlatformRules(
        email_cut_domains=GMAIL_DOMAINS, phone_plus=True, maid_hashed=False,
        id_types={"email": "EMAIL", "phone": "PHONE", "ios": "MOBILE_ID", "android": "MOBILE_ID",
                  "unknown": "MOBILE_ID"},
    ),
    "meta": PlatformRules(
        email_cut_domains=frozenset(), phone_plus=False, maid_hashed=False,
        id_types={"email": "EMAIL", "phone": "PHONE", "ios": "MADID", "android": "MADID", "unknown": "MADID"},
    ),
    "tiktok": PlatformRules(
        email_cut_domains=None, phone_plus=False, maid_hashed=True,
        id_types={"email": "EMAIL_SHA256", "phone": "PHONE_SHA256", "ios": "IDFA_SHA256",
                  "android": "GAID_SHA256", "unknown": "MAID_SHA256"},
    ),
}


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules applied in one run: the contract plus its options."""

    default_region: str = DEFAULT_REGION
    """Region for national phone numbers when a record has no known `country`."""
    tiktok_phone_plus: bool = False
    """Send TikTok phones as E.164 with the `+` (the contract's default is digits only)."""

    def platform(self, platform: Platform) -> PlatformRules:
        """The platform's rules with this rule set's options applied."""
        rules = PLATFORM_RULES[platform]
        if platform == "tiktok" and self.tiktok_phone_plus:
            return replace(rules, phone_plus=True)
        return rules

    @property
    def version(self) -> str:
        """The rule-set name recorded in lineage, options included."""
        tiktok = "tiktok-phone-plus" if self.tiktok_phone_plus else "tiktok-phone-digits"
        return f"{RULES_VERSION}+{tiktok}+default-region-{self.default_region}"
