"""The road distances the project ships between the customs offices (``RoadDistance``).

Each office's approximate location (latitude, longitude); the road distance of a pair is the
great-circle distance times ``ROAD_FACTOR`` (Iran's trunk roads run about a quarter longer than the
straight line: Bazargan–Tehran is ~790 km straight, ~950–1,000 km by road), rounded to 5 km. A
plausible first table: headquarters or the IT office correct any pair in the admin, and
``ensure_road_distances`` never overwrites a stored row.
"""

from __future__ import annotations

import math

ROAD_FACTOR = 1.25

# code: (latitude, longitude), approximate.
LOCATIONS: dict[str, tuple[float, float]] = {
    "BZG": (39.39, 44.39),
    "SRO": (37.73, 44.62),
    "RZI": (38.55, 44.30),
    "URM": (37.55, 45.07),
    "JLF": (38.94, 45.63),
    "NWD": (38.95, 46.02),
    "TBZ": (38.08, 46.29),
    "AST": (38.43, 48.87),
    "ANZ": (37.47, 49.46),
    "BLS": (39.38, 48.35),
    "SRK": (36.54, 61.16),
    "DGH": (34.55, 60.87),
    "LTF": (37.52, 59.34),
    "MSH": (36.30, 59.60),
    "MLK": (31.02, 61.76),
    "MRJ": (29.02, 61.45),
    "CHB": (25.29, 60.64),
    "SRJ": (27.10, 56.06),
    "BAB": (27.19, 56.27),
    "BIK": (30.43, 49.08),
    "SHL": (30.50, 47.92),
    "CZB": (31.78, 47.84),
    "MHR": (33.12, 46.16),
    "BSQ": (35.63, 46.02),
    "PVK": (34.45, 45.55),
    "KRM": (34.31, 47.07),
    "AMR": (36.85, 53.37),
    "NWS": (36.65, 51.50),
    "INB": (37.46, 54.72),
    "THR": (35.69, 51.39),
    "IKA": (35.42, 51.15),
    "BSR": (28.97, 50.84),
    "ISF": (32.65, 51.67),
    "SRJN": (29.45, 55.68),
    "YZD": (31.90, 54.37),
    "QZV": (36.27, 50.00),
    "ARK": (34.09, 49.69),
}


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def road_km(code_a: str, code_b: str) -> int | None:
    """The shipped road distance of a pair of office codes; None when either is not listed."""
    if code_a not in LOCATIONS or code_b not in LOCATIONS or code_a == code_b:
        return None
    km = great_circle_km(LOCATIONS[code_a], LOCATIONS[code_b]) * ROAD_FACTOR
    return max(5, round(km / 5.0) * 5)


def ensure_road_distances(office_model=None, distance_model=None) -> int:
    """Store the shipped distance of every pair of listed offices that has none yet (either order);
    returns how many rows it added. Takes the models so a data migration can pass its historical ones."""
    if office_model is None or distance_model is None:
        from accounts.models import CustomsOffice
        from declarations.models import RoadDistance

        office_model, distance_model = CustomsOffice, RoadDistance
    offices = dict(office_model.objects.filter(code__in=list(LOCATIONS)).values_list("code", "pk"))
    have = set(distance_model.objects.values_list("office_a_id", "office_b_id"))
    have |= {(b, a) for a, b in have}
    rows = []
    codes = sorted(offices)
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            if (offices[a], offices[b]) in have:
                continue
            km = road_km(a, b)
            if km is not None:
                rows.append(distance_model(office_a_id=offices[a], office_b_id=offices[b], km=km))
    distance_model.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
