"""The countries of ISO 3166-1 (alpha-2 codes): what a foreign plate's country may be, and their names."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.text import isolate

# All 249 officially assigned codes (countries and territories); a truck's plate may come from any of them.
ISO_3166_ALPHA2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
    """.split()
)


def is_country(code: str) -> bool:
    """Whether ``code`` (upper case) is an assigned ISO 3166-1 alpha-2 code."""
    return code in ISO_3166_ALPHA2


# The names of the countries whose trucks and companies travel Iran's transit roads: Iran's neighbours,
# the Caucasus, Central Asia and Russia, the Gulf, China and India, and Europe along the TIR corridors.
# A code outside it (any other ISO country) is written as its code.
COUNTRY_NAMES = {
    "IR": _("Iran"),
    "TR": _("Türkiye"),
    "AF": _("Afghanistan"),
    "IQ": _("Iraq"),
    "PK": _("Pakistan"),
    "TM": _("Turkmenistan"),
    "AZ": _("Azerbaijan"),
    "AM": _("Armenia"),
    "GE": _("Georgia"),
    "RU": _("Russia"),
    "KZ": _("Kazakhstan"),
    "UZ": _("Uzbekistan"),
    "TJ": _("Tajikistan"),
    "KG": _("Kyrgyzstan"),
    "BY": _("Belarus"),
    "UA": _("Ukraine"),
    "MD": _("Moldova"),
    "MN": _("Mongolia"),
    "CN": _("China"),
    "IN": _("India"),
    "AE": _("United Arab Emirates"),
    "OM": _("Oman"),
    "QA": _("Qatar"),
    "KW": _("Kuwait"),
    "SA": _("Saudi Arabia"),
    "BH": _("Bahrain"),
    "YE": _("Yemen"),
    "SY": _("Syria"),
    "LB": _("Lebanon"),
    "JO": _("Jordan"),
    "EG": _("Egypt"),
    "BG": _("Bulgaria"),
    "RO": _("Romania"),
    "GR": _("Greece"),
    "RS": _("Serbia"),
    "MK": _("North Macedonia"),
    "AL": _("Albania"),
    "BA": _("Bosnia and Herzegovina"),
    "HR": _("Croatia"),
    "SI": _("Slovenia"),
    "HU": _("Hungary"),
    "SK": _("Slovakia"),
    "CZ": _("Czechia"),
    "PL": _("Poland"),
    "LT": _("Lithuania"),
    "LV": _("Latvia"),
    "EE": _("Estonia"),
    "AT": _("Austria"),
    "DE": _("Germany"),
    "CH": _("Switzerland"),
    "IT": _("Italy"),
    "FR": _("France"),
    "ES": _("Spain"),
    "PT": _("Portugal"),
    "NL": _("Netherlands"),
    "BE": _("Belgium"),
    "LU": _("Luxembourg"),
    "DK": _("Denmark"),
    "SE": _("Sweden"),
    "NO": _("Norway"),
    "FI": _("Finland"),
    "GB": _("United Kingdom"),
}


def country_name(code: str) -> str:
    """A country as a person reads it: its name in the reader's language («ترکیه» for ``TR``); a code with
    no name here as the code, isolated (it keeps its order in a right-to-left line); empty for none."""
    code = (code or "").strip().upper()
    name = COUNTRY_NAMES.get(code)
    return str(name) if name is not None else isolate(code)
