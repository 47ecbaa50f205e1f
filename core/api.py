"""The API's one error body ({"error": {"code", "message", "fields"}}) and its Jalali date fields."""

import datetime as dt
import math
import re

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import dates, uploads
from core.errors import DomainError, field_messages, http_status
from core.text import date_hint, datetime_hint, digits, format_number, is_persian, isolate, join_messages

FORBIDDEN = "forbidden"  # the code of every 403 the API answers (a role, a scope, CSRF, the second factor)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The API's one error body: ``{"error": {"code", "message", "fields"}}``."""
    return {"error": {"code": code, "message": message, "fields": {} if fields is None else fields}}


def one_of(values) -> str:
    """A query parameter's error naming the values it takes, in the request's language."""
    return gettext("one of %(values)s") % {"values": ", ".join(values)}


def reject_unknown_params(request, allowed) -> None:
    """A query parameter the endpoint does not take is a 400 naming it: ignored, a misspelt filter
    (``?staus=``) or another API's paging word (``?limit=``) would answer with every row, unasked."""
    known = {*allowed, "format"}  # ``format``: DRF's own (?format=json)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        takes = ", ".join(sorted(known - {"format"}))
        message = (
            gettext("unknown parameter; this endpoint takes: %(names)s") % {"names": takes}
            if takes
            else gettext("unknown parameter; this endpoint takes no parameters")
        )
        raise exceptions.ValidationError({name: [message] for name in unknown})


def bool_param(request, name: str) -> bool:
    """A yes/no query parameter: ``true``/``1`` or ``false``/``0`` (any case), absent or empty is no;
    anything else is a 400 naming it: ``?overdue=yes`` silently read as no would answer with every row."""
    value = request.query_params.get(name, "").strip().lower()
    if value in ("", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise exceptions.ValidationError({name: [one_of(("true", "false"))]})


def _first_errors(path: tuple, errors):
    """(path, first message) of each field with errors, the path a tuple of field names and list positions
    (``("goods", 1, "quantity")``); a nested serializer's own errors (``non_field_errors``) under its field's name."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            key = str(key)
            if key in ("non_field_errors", "__all__"):
                sub = path
            else:  # a list field's items are keyed by their index (``seal_numbers_found.1``)
                sub = (*path, int(key) if key.isdigit() else key)
            yield from _first_errors(sub, value)
    elif isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        yield path, str(errors[0])
    elif isinstance(errors, list):
        for i, value in enumerate(errors):
            if value:
                yield from _first_errors((*path, i), value)
    elif errors:
        yield path, str(errors)


def _labels() -> dict:
    from django.utils.translation import gettext_lazy as _

    return {
        "goods": _("goods items"),
        "hs_code": _("HS code"),
        "seals": _("seal numbers"),
        "page_size": _("page size"),
        # Fields of the API's serializers whose names are no words of the models' verbose names: the model
        # field's own verbose name where there is one (its Persian is already written), else words of their own.
        "waybill_no": _("waybill number"),
        "pseudo_colour": _("dual-energy pseudo-colour"),
        "mrn": _("movement reference number"),
        "guarantee_ref": _("guarantee reference"),
        "guarantee_amount": _("guarantee amount (rial)"),
        "deadline": _("transit deadline"),
        "permit_no": _("traffic permit number"),
        "gross_weight_kg": _("gross weight (kg)"),
        "value": _("value (USD)"),
        "gross_weight_found_kg": _("gross weight found (kg)"),
        "unseen_reason": _("why the truck was not seen at the gate"),
        "entry_office": _("entry border"),
        "exit_office": _("exit border"),
        "route_km": _("route length (km)"),
        "driving_hours_per_driver": _("allowed driving per driver in 24 hours (hours)"),
        "fuel_receipt_no": _("fuel-price difference receipt number"),
        "fuel_receipt_date": _("fuel-price difference receipt date"),
        "fuel_receipt_amount": _("fuel-price difference paid (rial)"),
        "has_international_licence": _("international driving licence"),
        "has_insurance_card": _("international insurance card"),
        "has_tax_booklet": _("international tax booklet"),
        "goods_weight_kg": _("goods weight on the permit (kg)"),
        "supersedes": _("revises the review"),
        "imei": _("IMEI"),
        "model_name": _("model"),
        "scanner_id": _("scanner ID"),
        "containers": _("container numbers"),
        "driver_name": _("driver's name"),
        "driver_national_id": _("driver's national ID"),
        "driver_passport": _("driver's passport number"),
        "company_name": _("transport company's name"),
        "company_reg_no": _("transport company's registration number"),
        "plate_country": _("plate's country"),
        "photo_base64": _("photo (base64)"),
        "records": _("declaration records"),
        "values": _("serial numbers found"),
        "symptom": _("symptom"),
        # The import's columns with no word of a model's verbose name (``declarations.importer.COLUMNS``).
        "goods_line": _("goods line number"),
        "status_at": _("time of the status"),
        "unsettled_note": _("note on why it is unsettled"),
        "record": _("record"),
        "after": None,  # a cursor parameter: named as sent («before» is no word for it)
        "before": None,
    }


def field_label(name: str) -> str:
    """A field's or a query parameter's name in the reader's words, for the error's summary: its label in
    ``_labels``, else its name in words as the models' verbose names write it («origin» → «مبدأ», «seal numbers
    found» → «شماره پلمپ‌های مشاهده‌شده»); the name as sent when there are no such words in the reader's language."""
    labels = _labels()
    if name in labels:
        return name if labels[name] is None else str(labels[name])
    words = name.replace("_", " ")
    said = gettext(words)
    return said if said != words or not is_persian() else name


def error_path_text(path: tuple) -> str:
    """Where an error is, in words: each field by its label, each list position from 1 as the pages count
    («اقلام کالا، مورد ۲، تعداد»); the body's ``fields`` keep the names and indexes for the client."""
    parts = [
        gettext("item %(n)s") % {"n": digits(step + 1)} if isinstance(step, int) else field_label(step) for step in path
    ]
    return ("، " if is_persian() else ", ").join(parts)


class Throttled(exceptions.Throttled):
    """429, with the wait in the reader's digits: DRF's own puts ``49`` into «…در 49 ثانیه…». ``detail`` says
    what was refused (DRF's «Request was throttled.» when none); ``wait`` (seconds) is Retry-After too."""

    def __init__(self, wait=None, detail=None, code=None):
        detail = str(self.default_detail if detail is None else detail)
        if wait is not None:
            wait = math.ceil(wait)
            # DRF's sentence and its translations, the number written as the text around it writes numbers.
            extra = self.extra_detail_singular if wait == 1 else self.extra_detail_plural
            if not detail.endswith((".", "!", "?", "؟")):
                detail += "."
            detail = f"{detail} {str(extra).format(wait=digits(wait))}"
        exceptions.APIException.__init__(self, detail, code)
        self.wait = wait


# DRF's messages for a field's limits (a text's or a list's length, a number's bounds and digits) put the
# limit into the sentence in ASCII digits, «…بیشتر از 40 نیست.»; the pages' forms write them as the reader
# writes numbers (``core.forms.limits_in_page_digits``), and so does the API, here, for every serializer.
LIMIT_CODES = frozenset(
    {"max_length", "min_length", "max_value", "min_value", "max_digits", "max_decimal_places", "max_whole_digits"}
)
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")  # ASCII: a number already in Persian digits stays


# DRF's messages that put a code-level word into the sentence: the Python type sent («…اما str فرستاده شده
# است»), the model field a related field looks up by («موردی با code «XXX» وجود ندارد»). The field's name is
# already the message's path; what was sent wrong is said in words. Set once, for every serializer, at start.
def _drf_messages() -> dict:
    from django.utils.translation import gettext_lazy as _

    return {
        serializers.Serializer: {"invalid": _("Invalid data: send an object (its fields by name).")},
        serializers.ListSerializer: {"not_a_list": _("Send a list of items.")},
        serializers.ListField: {"not_a_list": _("Send a list of items.")},
        serializers.ManyRelatedField: {"not_a_list": _("Send a list of items.")},
        serializers.DictField: {"not_a_dict": _("Send an object (its items by name).")},
        serializers.HyperlinkedRelatedField: {"incorrect_type": _("Send the record's address.")},
        serializers.PrimaryKeyRelatedField: {
            "incorrect_type": _("Send the record's number."),
            "does_not_exist": _("There is no record '{pk_value}'."),
        },
        serializers.SlugRelatedField: {"does_not_exist": _("There is no '{value}'.")},
    }


def use_readable_drf_messages() -> None:
    """Replace DRF's messages that name a Python type or a model field (``_drf_messages``). A field takes its
    class's messages when it is made: called from ``CoreConfig.ready``, before the serializers are imported."""
    for cls, messages in _drf_messages().items():
        cls.default_error_messages = {**cls.default_error_messages, **messages}


def in_readers_digits(errors):
    """``errors`` (a serializer's, nested: the error handler's, a bulk's per-item ones) with each limit's message giving its numbers as ``format_number``
    writes them in the active language (``۱٬۰۰۰٬۰۰۰`` in Persian, ``1,000,000`` in English)."""
    if isinstance(errors, dict):
        return {key: in_readers_digits(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [in_readers_digits(value) for value in errors]
    if isinstance(errors, exceptions.ErrorDetail) and errors.code in LIMIT_CODES:
        text = _NUMBER.sub(lambda m: format_number(m[0]), str(errors))
        return exceptions.ErrorDetail(text, code=errors.code)
    return errors


def _message_lists(fields: dict) -> dict:
    """Each field's messages as a list, whatever raised them: a view's ``ValidationError({"x": "…"})`` keeps
    its bare text (DRF lists only a serializer's). A nested field keeps its shape (``goods``: one object per
    line; a list field's items by index), each of its own fields a list in turn."""
    out: dict[str, object] = {}
    for name, value in fields.items():
        if isinstance(value, dict):
            out[name] = _message_lists(value)
        elif isinstance(value, list):
            out[name] = [_message_lists(v) if isinstance(v, dict) else v for v in value]
        else:
            out[name] = [value]
    return out


def exception_handler(exc, context):
    if type(exc) is exceptions.Throttled:  # DRF's own (a view's throttle_classes), with its default detail
        exc = Throttled(wait=exc.wait)
    if isinstance(exc, uploads.UploadRejected):  # a refused file: 413, 415 or 400, naming its field
        return Response(error_body(exc.code, exc.message, {exc.field: [exc.message]}), status=exc.status)
    if isinstance(exc, DomainError):
        # ``extra``: what a client needs to find the record the error names (a duplicate's id).
        body = error_body(exc.code, str(exc), field_messages(exc)) | (getattr(exc, "extra", None) or {})
        return Response(body, status=http_status(exc))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(getattr(exc, "message_dict", None) or exc.messages)
    if isinstance(exc, Http404) or (
        type(exc) is exceptions.NotFound and exc.detail == exceptions.NotFound.default_detail
    ):
        # As a path no route matches answers (core.error_pages): a record out of the person's scope is not found
        # to them, in the same words as one that does not exist.
        exc = exceptions.NotFound(gettext("Not found, or outside your scope."))
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)  # keep the message naming who may do it
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        data = in_readers_digits(data)
        fields = _message_lists(data if isinstance(data, dict) else {"non_field_errors": data})
        message = join_messages(
            f"{error_path_text(path)}: {text}" if path else text for path, text in _first_errors((), fields)
        )
        code = "invalid"
    else:
        message = str(data.get("detail", data)) if isinstance(data, dict) else str(data)
        code = getattr(getattr(exc, "default_code", None), "__str__", lambda: "error")()
        if response.status_code == 403:  # every refusal one code, as the error pages and NotAllowed answer it
            code = FORBIDDEN
        if field := getattr(exc, "field", ""):  # a parse error at a known place (core/parsers.py)
            fields = {field: [message]}
    response.data = error_body(code, message, fields)
    return response


# What the schema says of the Jalali fields: a string, not ``format: date-time`` (a client or a schema
# checker held to that format refused the Jalali the field takes), with both forms in words and a Jalali
# example. A field's own help text, when it has one, names both forms and what else it requires.
# The examples are of this Jalali year (``dates.date_example``) as the process starts: a literal year aged into an
# old year's, the schema's examples saying 1404 in 1405.
JALALI_DATE_EXAMPLE = dates.date_example()
JALALI_DATETIME_EXAMPLE = dates.datetime_example()
ISO_DATE_EXAMPLE = dates.iso_date_example()
JALALI_DATETIME_HELP = (
    f"Jalali {JALALI_DATETIME_EXAMPLE} (Tehran time, any digit script) or ISO 8601 {ISO_DATE_EXAMPLE}T10:30:00+03:30 "
    "(without an offset: Tehran time)"
)
JALALI_DATE_HELP = f"Jalali {JALALI_DATE_EXAMPLE} (any digit script) or ISO {ISO_DATE_EXAMPLE}"
JALALI_DATETIME_SCHEMA = {"type": "string", "description": JALALI_DATETIME_HELP, "example": JALALI_DATETIME_EXAMPLE}
JALALI_DATE_SCHEMA = {"type": "string", "description": JALALI_DATE_HELP, "example": JALALI_DATE_EXAMPLE}


@extend_schema_field(JALALI_DATETIME_SCHEMA)
class JalaliDateTimeField(serializers.DateTimeField):
    """A date and time in the API as the pages take it: Jalali ``1404/05/12 10:30`` (Tehran time,
    any digit script) or ISO 8601; answered as ISO 8601."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", JALALI_DATETIME_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, dt.datetime):
            return super().to_internal_value(value)
        try:
            return dates.parse_datetime_any(str(value))
        except ValueError:
            raise serializers.ValidationError(
                dates.no_such_day(str(value))
                or gettext("Enter a date and time like %(example)s.") % {"example": datetime_hint()},
                code="invalid",
            ) from None


@extend_schema_field(JALALI_DATETIME_SCHEMA)
class JalaliDateTimeText(serializers.CharField):
    """A date and time kept as text for a validator that parses it (the importer's columns): the same
    Jalali or ISO 8601 as ``JalaliDateTimeField``, and the same words in the schema."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", JALALI_DATETIME_HELP)
        super().__init__(**kwargs)


@extend_schema_field(JALALI_DATE_SCHEMA)
class JalaliDateField(serializers.DateField):
    """A date in the API: Jalali ``1404/05/12`` (any digit script) or ISO ``2025-08-03``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", JALALI_DATE_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, dt.date):
            return super().to_internal_value(value)
        text = str(value).strip()
        try:
            if len(text) >= 4 and dates.ascii_digits(text[:4]).isdigit() and int(dates.ascii_digits(text[:4])) < 1700:
                return dates.parse_jalali_date(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            raise serializers.ValidationError(
                dates.no_such_day(text) or gettext("Enter a Jalali date like %(example)s.") % {"example": date_hint()},
                code="invalid",
            ) from None


def invalid_choice_message(value: str, choices) -> str:
    """The refusal of a value that is none of ``choices`` ((code, label) pairs): the value sent in the reader's
    quotation marks, then every value taken (in Persian each with its label):
    «"bogus" is not a valid choice; one of ics, epl»."""
    refused = gettext("“%(value)s” is not a valid choice") % {"value": isolate(value, "auto")}
    values = [
        f"{label} ({isolate(code)})" if is_persian() and label != code else code
        for code, label in ((str(k), str(v)) for k, v in choices)
    ]
    return gettext("%(refused)s; %(values)s.") % {"refused": refused, "values": one_of(values)}


class ChoiceField(serializers.ChoiceField):
    """A choice in a body whose refusal lists the values it takes, as a query filter's does:
    «"bogus" is not a valid choice; one of ics, epl» (DRF's own says only that it is not one)."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except exceptions.ValidationError as exc:
            if not self.choice_strings_to_values or getattr(exc, "get_codes", lambda: None)() != ["invalid_choice"]:
                raise
            message = invalid_choice_message(str(data), self.choices.items())
            raise exceptions.ValidationError(message, code="invalid_choice") from None


class ApiFilterSet(django_filters.FilterSet):
    """A filter set an API list applies (``api=True``; a page's the same set without it): a value that is none
    of a choice filter's choices is refused as a body's choice is (``ChoiceField``), the value quoted and
    every value the filter takes listed; a page names the field beside its select box instead. A row's
    code (a ``ModelChoiceFilter``: an office) is not listed: there are hundreds."""

    def __init__(self, *args, api: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.api = api

    @property
    def form(self):
        form = super().form
        if self.api and not getattr(form, "_choices_listed", False):
            for field in form.fields.values():
                if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                    field.error_messages["invalid_choice"] = _listed(field.choices)
            form._choices_listed = True
        return form


def _listed(choices) -> str:
    """``invalid_choice_message`` as a Django message, its value left for Django to put in (``%(value)s``)."""
    taken = [(k, v) for k, v in choices if k != ""]  # "" is the empty option, not a value taken
    escaped = [(str(k).replace("%", "%%"), str(v).replace("%", "%%")) for k, v in taken]
    return invalid_choice_message("\0", escaped).replace("\0", "%(value)s")


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file sent as a part of a multipart body. drf-spectacular writes a plain ``FileField`` as a
    ``uri`` string (a URL, as it answers one), so a client built from the schema sent a URL, not the file."""
