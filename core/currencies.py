"""The currencies of ISO 4217 (alphabetic codes), and what an exchange rate into rials may be.

A smuggling case values goods and seized money in rials from an amount in its currency and that
currency's rate (rials per unit): a code that is no currency, or a rate no currency has, gives the
case a value, and so a statutory class and clocks, that mean nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.text import format_number

RIAL = "IRR"

# The currencies in use (ISO 4217, list one, 2025), with those just replaced whose notes may still be
# seized (ANG, SLL, ZWL, CUC). Left out: the fund and accounting units (BOV, CHE, CHW, CLF, COU, MXV,
# USN, UYI, UYW, XBA–XBD, XDR, XSU, XUA), the precious metals (XAG, XAU, XPD, XPT), and XTS and XXX
# (testing, no currency): nothing the customs values is priced in them.
ISO_4217 = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN
    BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK
    DJF DKK DOP DZD
    EGP ERN ETB EUR
    FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD
    HKD HNL HTG HUF
    IDR ILS INR IQD IRR ISK
    JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT
    LAK LBP LKR LRD LSL LYD
    MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN
    NAD NGN NIO NOK NPR NZD
    OMR
    PAB PEN PGK PHP PKR PLN PYG
    QAR
    RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS
    VED VES VND VUV
    WST
    XAF XCD XCG XOF XPF
    YER
    ZAR ZMW ZWG ZWL
    """.split()
)

# Those the customs meets most (its neighbours' and its trading partners'), named in the help text.
COMMON = ("USD", "EUR", "AED", "CNY", "TRY", "RUB", "IQD", "AFN", "IRR")


def is_currency(code: str) -> bool:
    """Whether ``code`` (upper case) is the ISO 4217 code of a currency in use."""
    return code in ISO_4217


def help_text() -> str:
    return _("Its ISO 4217 code: %(codes)s …") % {"codes": ", ".join(COMMON)}


def check_currency(value, *, field: str = "currency") -> str:
    """``value`` as an ISO 4217 code (trimmed, upper case); InvalidInput on ``field`` when it is none."""
    code = ("" if value is None else str(value)).strip().upper()
    if not is_currency(code):
        raise InvalidInput(
            _("“%(code)s” is not a currency code of ISO 4217: write the three-letter code, such as %(codes)s.")
            % {"code": str(value or "").strip(), "codes": ", ".join(COMMON[:4])},
            fields={field: str(value or "")},
        )
    return code


def check_rate(currency: str, rate: Decimal, *, field: str = "exchange_rate") -> None:
    """InvalidInput on ``field`` when ``rate`` (rials per one unit of ``currency``) is one no currency has:
    the rial's own is 1, and every other currency in use is worth more than one rial (the dong and the
    rupiah, the least, some tens of rials). So a rate of 1 typed for dollars, or a made-up currency at 1,
    is refused rather than valuing the goods at their amount in rials."""
    if currency == RIAL and rate != 1:
        raise InvalidInput(
            _("An amount in rials (IRR) is in rials already: its exchange rate is 1, not %(rate)s.")
            % {"rate": format_number(rate)},
            fields={field: str(rate)},
        )
    if currency != RIAL and rate <= 1:
        raise InvalidInput(
            _(
                "%(rate)s rial for one %(code)s cannot be right: the rate is in rials per unit of the currency, "
                "and every currency other than the rial is worth more than one rial. Type the rate of the "
                "discovery day; an amount in rials takes the currency IRR, at 1."
            )
            % {"rate": format_number(rate), "code": currency},
            fields={field: str(rate)},
        )


def check_rate_of_any(rate: Decimal, *, field: str = "exchange_rate") -> None:
    """What ``check_rate`` can say without the currency (none typed, or one that is no currency): a rate below
    one rial is no currency's, so it is refused beside the rate with the currency's own error."""
    if rate < 1:
        raise InvalidInput(
            _(
                "%(rate)s rial for one unit cannot be right for any currency: the rate is in rials per unit of "
                "the currency, 1 for the rial (IRR) and more than 1 for every other currency."
            )
            % {"rate": format_number(rate)},
            fields={field: str(rate)},
        )
