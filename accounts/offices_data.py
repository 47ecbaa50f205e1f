"""Real Iranian customs offices used by the demo data and tests: (code, fa, en, province, kind, anpr, scanner).

Codes are this project's own short codes, not ICS codes.
"""

PROVINCES = [
    # code, Persian, English
    ("WAZ", "آذربایجان غربی", "West Azerbaijan"),
    ("EAZ", "آذربایجان شرقی", "East Azerbaijan"),
    ("ARD", "اردبیل", "Ardabil"),
    ("KHR", "خراسان رضوی", "Razavi Khorasan"),
    ("SBL", "سیستان و بلوچستان", "Sistan and Baluchestan"),
    ("HRM", "هرمزگان", "Hormozgan"),
    ("KHZ", "خوزستان", "Khuzestan"),
    ("ILM", "ایلام", "Ilam"),
    ("KRD", "کردستان", "Kurdistan"),
    ("KRM", "کرمانشاه", "Kermanshah"),
    ("GIL", "گیلان", "Gilan"),
    ("MAZ", "مازندران", "Mazandaran"),
    ("GLS", "گلستان", "Golestan"),
    ("THR", "تهران", "Tehran"),
    ("BSH", "بوشهر", "Bushehr"),
    ("ESF", "اصفهان", "Isfahan"),
    ("KRN", "کرمان", "Kerman"),
    ("YZD", "یزد", "Yazd"),
    ("QZV", "قزوین", "Qazvin"),
    ("MRK", "مرکزی", "Markazi"),
]

OFFICES = [
    ("BZG", "گمرک بازرگان", "Bazargan", "WAZ", "border", True, True),
    ("SRO", "گمرک سرو", "Sero", "WAZ", "border", True, False),
    ("RZI", "گمرک رازی", "Razi", "WAZ", "border", False, False),
    ("URM", "گمرک ارومیه", "Urmia", "WAZ", "inland", True, False),
    ("JLF", "گمرک جلفا", "Jolfa", "EAZ", "border", True, True),
    ("NWD", "گمرک نوردوز", "Nowdouz", "EAZ", "border", True, True),
    ("TBZ", "گمرک تبریز", "Tabriz", "EAZ", "inland", True, False),
    ("AST", "گمرک آستارا", "Astara", "GIL", "border", True, True),
    ("ANZ", "گمرک بندر انزلی", "Bandar Anzali", "GIL", "port", True, True),
    ("BLS", "گمرک بیله‌سوار", "Bileh Savar", "ARD", "border", True, False),
    ("SRK", "گمرک سرخس", "Sarakhs", "KHR", "border", True, True),
    ("DGH", "گمرک دوغارون", "Dogharoun", "KHR", "border", True, True),
    ("LTF", "گمرک لطف‌آباد", "Lotfabad", "KHR", "border", False, False),
    ("MSH", "گمرک مشهد", "Mashhad", "KHR", "inland", True, False),
    ("MLK", "گمرک میلک", "Milak", "SBL", "border", True, False),
    ("MRJ", "گمرک میرجاوه", "Mirjaveh", "SBL", "border", True, True),
    ("CHB", "گمرک چابهار", "Chabahar", "SBL", "port", True, True),
    ("SRJ", "گمرک شهید رجایی", "Bandar Abbas (Shahid Rajaee)", "HRM", "port", True, True),
    ("BAB", "گمرک بندرعباس", "Bandar Abbas", "HRM", "inland", True, False),
    ("BIK", "گمرک بندر امام خمینی", "Bandar Imam Khomeini", "KHZ", "port", True, True),
    ("SHL", "گمرک شلمچه", "Shalamcheh", "KHZ", "border", True, True),
    ("CZB", "گمرک چذابه", "Chazabeh", "KHZ", "border", False, False),
    ("MHR", "گمرک مهران", "Mehran", "ILM", "border", True, True),
    ("BSQ", "گمرک باشماق", "Bashmaq", "KRD", "border", True, False),
    ("PVK", "گمرک پرویزخان", "Parviz Khan", "KRM", "border", True, True),
    ("KRM", "گمرک کرمانشاه", "Kermanshah", "KRM", "inland", False, False),
    ("AMR", "گمرک امیرآباد", "Amirabad", "MAZ", "port", True, True),
    ("NWS", "گمرک نوشهر", "Nowshahr", "MAZ", "port", False, False),
    ("INB", "گمرک اینچه‌برون", "Incheh Borun", "GLS", "border", True, True),
    ("THR", "گمرک تهران (شهید رجایی تهران)", "Tehran", "THR", "inland", True, True),
    ("IKA", "گمرک فرودگاه امام خمینی", "Imam Khomeini Airport", "THR", "inland", False, False),
    ("BSR", "گمرک بوشهر", "Bushehr", "BSH", "port", True, True),
    ("ISF", "گمرک اصفهان", "Isfahan", "ESF", "inland", True, False),
    ("SRJN", "گمرک سیرجان", "Sirjan", "KRN", "inland", False, False),
    ("YZD", "گمرک یزد", "Yazd", "YZD", "inland", False, False),
    ("QZV", "گمرک قزوین", "Qazvin", "QZV", "inland", False, False),
    ("ARK", "گمرک اراک", "Arak", "MRK", "inland", False, False),
]


def ensure_offices():
    """Create the provinces and offices above if missing (idempotent). Returns {code: office}."""
    from .models import CustomsOffice, Province

    provinces = {}
    for code, fa, en in PROVINCES:
        provinces[code], _ = Province.objects.get_or_create(code=code, defaults={"name_fa": fa, "name_en": en})
    offices = {}
    for code, fa, en, prov, kind, anpr, scanner in OFFICES:
        offices[code], _ = CustomsOffice.objects.get_or_create(
            code=code,
            defaults={
                "name_fa": fa,
                "name_en": en,
                "province": provinces[prov],
                "kind": kind,
                "has_anpr": anpr,
                "has_scanner": scanner,
                "letter_prefix": code,
            },
        )
    return offices
