"""The demo's world: its channels' profiles, seasons, companies and products."""

from __future__ import annotations

from dataclasses import dataclass

SEED = 2026
MONTHS = 24
SEASON = [0.8, 0.95, 1.1, 1.05, 1.0, 0.9, 0.7, 0.6, 1.15, 1.25, 1.2, 0.75]  # Jan..Dec


@dataclass(frozen=True)
class ChannelProfile:
    code: str
    leads_per_month: int
    to_mql: float
    to_sql: float
    to_opportunity: float
    win_rate: float
    cost_per_lead: int  # euros, spent through campaigns


PROFILES = [
    ChannelProfile("organic_search", 38, 0.45, 0.50, 0.55, 0.32, 12),
    ChannelProfile("paid_search", 30, 0.55, 0.45, 0.50, 0.28, 65),
    ChannelProfile("social", 26, 0.35, 0.35, 0.45, 0.22, 40),
    ChannelProfile("email", 14, 0.60, 0.50, 0.55, 0.30, 8),
    ChannelProfile("referral", 8, 0.80, 0.70, 0.65, 0.45, 0),
    ChannelProfile("event", 6, 0.70, 0.60, 0.60, 0.35, 220),
]
INDUSTRIES = [
    "software",
    "retail",
    "manufacturing",
    "healthcare",
    "finance",
    "logistics",
    "education",
]
COUNTRIES = ["Italy", "Spain", "Poland", "Germany", "France", "Netherlands"]
PRODUCTS = [("Starter", 4_000), ("Growth", 12_000), ("Enterprise", 38_000)]
OUTCOMES = ["reached", "voicemail", "meeting booked", "no answer", "sent proposal"]


COMPANY_NAMES = [
    f"{prefix} {suffix}"
    for prefix in [
        "Alpha",
        "Borealis",
        "Cobalt",
        "Delta",
        "Ember",
        "Fjord",
        "Granite",
        "Helix",
        "Iris",
        "Juno",
        "Kestrel",
        "Lumen",
        "Meridian",
        "Nimbus",
        "Orbit",
        "Pinnacle",
        "Quartz",
        "Riviera",
    ]
    for suffix in ["Labs", "Group", "Systems", "Foods", "Logistics", "Health", "Retail"]
]
