"""What an IATI activity says, as plain frozen dataclasses: read by ``_read``, written by
``_write``. Only the parts Solidarity stores are kept; each is kept exactly as the file has it
(codes as text, amounts as :class:`~decimal.Decimal`), so a written activity reads back equal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

# IATI TransactionType codelist (2.03).
TRANSACTION_TYPES = {
    "1": "Incoming Funds",
    "2": "Outgoing Commitment",
    "3": "Disbursement",
    "4": "Expenditure",
    "5": "Interest Payment",
    "6": "Loan Repayment",
    "7": "Reimbursement",
    "8": "Purchase of Equity",
    "9": "Sale of Equity",
    "10": "Credit Guarantee",
    "11": "Incoming Commitment",
    "12": "Outgoing Pledge",
    "13": "Incoming Pledge",
}

# Solidarity's own tag vocabulary (IATI TagVocabulary 99, "reporting organisation"): the GCM
# objective an activity serves (``GCM-7``) and the pledge it carries money for (``PLEDGE-12``).
GCM_TAG_VOCABULARY_URI = "https://solidarity.global-compact-migration.org/iati/gcm-tags"
# DAC purpose code for migration: facilitation of orderly, safe, regular and responsible migration
# and mobility.
DAC_MIGRATION_PURPOSE = "15190"


def canonical_decimal(value: Decimal) -> Decimal:
    """One spelling per amount: no trailing zeros and no exponent, so that 100.50 and 100.5
    compare, print and digest alike.

    >>> canonical_decimal(Decimal("100.5000")), canonical_decimal(Decimal("1000.00"))
    (Decimal('100.5'), Decimal('1000'))
    """
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation as an activity names it: its IATI identifier, type code and name."""

    ref: str = ""
    type: str = ""
    name: str = ""
    role: str = ""


@dataclass(frozen=True, slots=True)
class Coded:
    """A coded classification: sector, recipient country or region, policy marker or tag."""

    code: str
    vocabulary: str = ""
    percentage: Decimal | None = None
    significance: str = ""
    vocabulary_uri: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class Transaction:
    """One IATI transaction: ``type`` is the TransactionType code (``"3"`` a disbursement),
    ``value`` the amount in ``currency`` (blank: the activity's default currency) at
    ``value_date``, the date that fixes the exchange rate."""

    type: str
    date: datetime.date | None
    value: Decimal
    value_date: datetime.date | None
    currency: str = ""
    ref: str = ""
    description: str = ""
    provider: Organisation | None = None
    receiver: Organisation | None = None
    disbursement_channel: str = ""
    sectors: tuple[Coded, ...] = ()
    recipient_country: str = ""
    recipient_region: str = ""
    flow_type: str = ""
    finance_type: str = ""
    aid_type: str = ""
    tied_status: str = ""
    # Where it was read from; not part of what the transaction says, so not compared.
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Activity:
    """One ``iati-activity``: identified by ``identifier`` (which may be blank in the standard's
    own test files), reported by ``reporting_org``, with its titles and descriptions by language
    (``""`` for a narrative without ``xml:lang``), its classifications and transactions."""

    identifier: str
    reporting_org: Organisation
    titles: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)
    default_currency: str = ""
    language: str = ""
    status: str = ""
    dates: tuple[tuple[str, datetime.date], ...] = ()
    participating_orgs: tuple[Organisation, ...] = ()
    recipient_countries: tuple[Coded, ...] = ()
    recipient_regions: tuple[Coded, ...] = ()
    sectors: tuple[Coded, ...] = ()
    tags: tuple[Coded, ...] = ()
    policy_markers: tuple[Coded, ...] = ()
    collaboration_type: str = ""
    transactions: tuple[Transaction, ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def title(self) -> str:
        """The English title, else the first one."""
        return self.titles.get("en") or next(iter(self.titles.values()), "")
