"""factory_boy factories for the declaration graph. Plates and serials are valid by construction."""

import datetime as dt
import random
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import CustomsOffice, Province, Role, User
from declarations.models import Driver, GoodsItem, Status, TransitDeclaration, TransportCompany, Vehicle
from declarations.plates import PLATE_LETTERS


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n:02d}")
    name_fa = factory.Sequence(lambda n: f"استان {n}")
    name_en = factory.Sequence(lambda n: f"Province {n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomsOffice
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"O{n:03d}")
    name_fa = factory.Sequence(lambda n: f"گمرک {n}")
    name_en = factory.Sequence(lambda n: f"Office {n}")
    province = factory.SubFactory(ProvinceFactory)
    kind = CustomsOffice.Kind.BORDER
    has_anpr = True
    has_scanner = True
    letter_prefix = factory.SelfAttribute("code")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OFFICE
    password = factory.django.Password("correct-horse-battery")


def random_plate(rng=random) -> str:
    return f"{rng.randint(10, 99)}{rng.choice(PLATE_LETTERS)}{rng.randint(100, 999)}{rng.randint(10, 99)}"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransportCompany

    name = factory.Sequence(lambda n: f"حمل و نقل {n}")
    registration_no = factory.Sequence(lambda n: f"R{n:06d}")


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    plate = factory.Sequence(lambda n: f"{10 + n % 90}ع{100 + n % 900}{10 + (n // 900) % 90}")
    country = "IR"


class DriverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Driver

    name = factory.Sequence(lambda n: f"راننده {n}")


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransitDeclaration

    serial = factory.Sequence(lambda n: f"T1404{n:08d}")
    declared_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
    origin = factory.SubFactory(OfficeFactory)
    destination = factory.SubFactory(OfficeFactory)
    route = factory.LazyAttribute(lambda o: [o.origin.code, o.destination.code])
    vehicle = factory.SubFactory(VehicleFactory)
    company = factory.SubFactory(CompanyFactory)
    waybill_no = factory.Sequence(lambda n: f"WB{n:07d}")
    seal_numbers = factory.LazyFunction(lambda: ["S100200"])
    guarantee_amount = Decimal("1000000000")
    status = Status.REGISTERED


class GoodsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoodsItem

    declaration = factory.SubFactory(DeclarationFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    hs_code = "851713"
    description = "گوشی تلفن همراه"
    quantity = Decimal("100")
    unit = "عدد"
    gross_weight_kg = Decimal("250")
    value = Decimal("15000")


def ended_case(declaration, by, *, file_number: str = "9909981234"):
    """Make ``declaration`` closable as a person would: past its deadline when in transit, a judicial case
    opened on it and its outcome recorded (``casework.services``); returns the case."""
    from casework import services as casework

    if declaration.status == Status.IN_TRANSIT and not declaration.is_overdue():
        TransitDeclaration.objects.filter(pk=declaration.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
        declaration.refresh_from_db()
    case = casework.case_open(
        declaration=declaration,
        by=by,
        file_number=file_number,
        authority="تعزیرات حکومتی",
        opened_on=timezone.localdate(),
        cif_value="100",
        exchange_rate="285000",
    )
    casework.case_close(case=case, by=by, outcome="برائت", outcome_on=timezone.localdate())
    return case
