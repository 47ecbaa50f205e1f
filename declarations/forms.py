"""Forms of the declaration page's actions. Each maps to one lifecycle service; the service
decides whether the move is legal (the forms only check the shape of the input)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice
from core import dates
from core.forms import (
    JalaliDateField,
    JalaliDateTimeField,
    ListFilterForm,
    NameOrderedChoiceField,
    PageDecimalField,
    PageForm,
    PageIntegerField,
    StackedRadioSelect,
    with_example,
)
from core.text import digits

from . import identifiers, permits
from .arrival_reads import note_error, reason_error
from .hooks import Outage
from .import_validation import RowInvalid, repeated, seal_numbers_problem
from .models import NOTE_MIN_LENGTH, ArrivalReadReason, PermitStop, Source, Status, UnsettledReason
from .permits import VALIDITY_CHOICES, permit_offices


def _justified(form: forms.Form, name: str) -> str:
    """The field's written reason, refused beside it when too short to say why (``reason_error``)."""
    value = form.cleaned_data[name]
    if problem := reason_error(value, str(form.fields[name].label)):
        raise forms.ValidationError(problem)
    return value


def _at_field():
    return JalaliDateTimeField(
        label=_("When"),
        required=False,
        not_future=True,
        help_text=with_example(gettext_noop("Jalali date and time, e.g. %(example)s. Leave empty for now."), True),
    )


class DepartForm(PageForm):
    at = _at_field()


# The arrival form's two answers about the seals (posted values).
SEALS_INTACT = "intact"
SEALS_BROKEN = "broken"


class ConfirmArrivalForm(PageForm):
    at = _at_field()
    # An explicit choice, none made for the officer: a box left unticked recorded broken seals nobody reported
    # (and proposed a seal discrepancy). Intact must agree with the numbers found (the service checks).
    seals_intact = forms.TypedChoiceField(
        label=_("State of the seals"),
        choices=[
            (SEALS_INTACT, _("Seals intact")),
            (SEALS_BROKEN, _("Seals broken or not matching the declared ones")),
        ],
        coerce=lambda value: value == SEALS_INTACT,
        widget=StackedRadioSelect,
        error_messages={"required": _("Choose whether the seals are intact or broken.")},
    )
    seal_numbers_found = forms.CharField(
        label=_("Seal numbers found"),
        required=False,
        help_text=_("Separate several with commas, semicolons, spaces or new lines."),
        widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
    )
    gross_weight_found_kg = PageDecimalField(
        label=_("Gross weight found (kg)"), required=False, min_value=0, max_digits=14, decimal_places=3
    )
    remarks = forms.CharField(
        label=_("Remarks"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    unseen_reason = forms.CharField(
        label=_("Why the truck was not seen at the gate"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when your office has a plate reader and it has no read of this truck."),
    )
    from_outside = forms.BooleanField(
        label=_("Recorded from outside the system (attach the evidence document)"), required=False
    )
    evidence = forms.FileField(label=_("Evidence document"), required=False)

    def clean_seal_numbers_found(self):
        seals = identifiers.seal_numbers(self.cleaned_data["seal_numbers_found"])
        if problem := seal_numbers_problem(seals):  # as registration checks the declared ones
            raise forms.ValidationError(problem)
        return seals

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "at": d["at"],
            "seals_intact": d["seals_intact"],
            "seal_numbers_found": d["seal_numbers_found"],
            "gross_weight_found_kg": d["gross_weight_found_kg"],
            "remarks": d["remarks"],
            "unseen_reason": d["unseen_reason"],
            "source": Source.OUTSIDE if d["from_outside"] else Source.USER,
            "evidence": d["evidence"],
        }

    def check_kwargs(self) -> dict:
        """What the service checks (``services.confirm_arrival_problems``) from what the form could read,
        valid or not: a value it could not read is None (its checks left out), so an empty submit is told
        every problem at once."""
        d = self.cleaned_data
        return {
            "at": d.get("at") or timezone.now() if "at" in d else None,
            "seals_intact": d.get("seals_intact"),
            "seal_numbers_found": d.get("seal_numbers_found") or (),
            "remarks": d.get("remarks") or "",
            "unseen_reason": d.get("unseen_reason") or "",
            "source": Source.OUTSIDE if d.get("from_outside") else Source.USER,
            "evidence": d.get("evidence"),
        }


class SettleForm(PageForm):
    at = _at_field()
    remarks = forms.CharField(
        label=_("Remarks"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecordReasonForm(PageForm):
    # A blank first choice: the first reason must never be recorded because nobody chose one.
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("Choose a reason")), *UnsettledReason.choices])
    note = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the reason is 'other'."),
    )
    at = _at_field()

    def clean(self):
        cleaned = super().clean()
        # With «other» the details are the reason: as short as «x», they say nothing (``reason_error``).
        if cleaned.get("reason") == UnsettledReason.OTHER and "note" in cleaned:
            if problem := reason_error(cleaned["note"], str(self.fields["note"].label)):
                self.add_error("note", problem)
        return cleaned


def _reason_field(label, help_text):
    return forms.CharField(label=label, max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text=help_text)


class CancelForm(PageForm):
    reason = _reason_field(_("Reason for cancelling"), _("Kept on the declaration's timeline."))
    at = _at_field()

    def clean_reason(self) -> str:
        return _justified(self, "reason")


class CloseForm(PageForm):
    remarks = _reason_field(_("How the case ended"), _("E.g. the judicial decision and its number."))
    at = _at_field()

    def clean_remarks(self) -> str:
        return _justified(self, "remarks")


class ExtendDeadlineForm(PageForm):
    new_deadline = JalaliDateTimeField(
        label=_("New deadline"),
        help_text=_("Jalali date and time, later than the current deadline by at most the route's allowed time."),
    )
    reason = _reason_field(_("Reason for the extension"), _("Kept on the declaration's timeline."))

    def clean_reason(self) -> str:
        return _justified(self, "reason")


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "depart": DepartForm,
    "confirm_arrival": ConfirmArrivalForm,
    "settle": SettleForm,
    "record_unsettled": RecordReasonForm,
    "extend_deadline": ExtendDeadlineForm,
    "cancel": CancelForm,
    "close": CloseForm,
}
ACTION_LABELS = {
    "depart": _("Record departure"),
    "confirm_arrival": _("Confirm arrival"),
    "settle": _("Settle"),
    "record_unsettled": _("Record why it cannot be settled"),
    "extend_deadline": _("Extend the transit deadline"),
    "cancel": _("Cancel the declaration"),
    "close": _("Close the declaration"),
}


def action_label(action: str, declaration) -> str:
    """The action's label on the declaration's page: once why it cannot be settled is recorded, recording a reason
    is a correction (``services.declaration_record_unsettled`` takes another), not the first asked for."""
    if action == "record_unsettled" and declaration.status == Status.UNSETTLED and declaration.unsettled_reason:
        return str(_("Record another reason (the recorded one stays on the timeline)"))
    return str(ACTION_LABELS[action])


class TrafficPermitForm(PageForm):
    """The traffic permit of a foreign truck, recorded at its entry (``permits.traffic_permit_record``)."""

    permit_no = forms.CharField(
        label=_("Permit number"), max_length=40, widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"})
    )
    entry_office = forms.ModelChoiceField(label=_("Entry border"), queryset=CustomsOffice.objects.none())
    exit_office = forms.ModelChoiceField(label=_("Exit border"), queryset=CustomsOffice.objects.none())
    issued_at = JalaliDateTimeField(
        label=_("Issued at"), help_text=with_example(gettext_noop("Jalali date and time, e.g. %(example)s."), True)
    )
    allowed_hours = PageIntegerField(
        label=_("Allowed trip time (hours)"), min_value=1, max_value=24 * 60, help_text=_("1 hour to 60 days.")
    )
    route = forms.CharField(
        label=_("Route on the permit"),
        required=False,
        help_text=_("Office codes in order, separated by ; (empty: the declaration's route)."),
    )
    route_km = PageIntegerField(
        label=_("Route length (km)"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_("Empty: from the table of road distances."),
    )
    drivers = PageIntegerField(label=_("Drivers"), min_value=1, max_value=4, initial=1)
    driving_hours_per_driver = PageIntegerField(
        label=_("Allowed driving per driver in 24 hours (hours)"),
        min_value=1,
        max_value=10,
        initial=10,
        help_text=_("At most 10 hours (Art. 11)."),
    )
    fuel_receipt_no = forms.CharField(
        label=_("Fuel-price difference receipt number"),
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
    )
    fuel_receipt_date = JalaliDateField(
        label=_("Receipt date"),
        help_text=with_example(gettext_noop("Paid before the permit is issued (Art. 8), e.g. %(example)s."), False),
    )
    fuel_receipt_amount = PageDecimalField(label=_("Amount paid (rial)"), min_value=0, max_digits=16, decimal_places=0)
    has_international_licence = forms.BooleanField(label=_("International driving licence seen"), required=False)
    has_insurance_card = forms.BooleanField(label=_("International insurance card seen"), required=False)
    has_tax_booklet = forms.BooleanField(label=_("International tax booklet seen"), required=False)
    goods_description = forms.CharField(label=_("Goods on the permit"), max_length=300, required=False)
    goods_weight_kg = PageDecimalField(
        label=_("Goods weight on the permit (kg)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=3,
        help_text=_("Compared with the declared goods (Art. 13)."),
    )

    def __init__(self, *args, declaration=None, **kwargs):
        super().__init__(*args, **kwargs)
        offices = permit_offices()  # a border or port: the service refuses any other
        for name in ("entry_office", "exit_office"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = offices
            field.label_from_instance = lambda obj: f"{obj.code} — {obj.name}"  # type: ignore[method-assign]
        self.declaration = declaration
        if declaration is not None and not self.is_bound:
            self.initial.setdefault("entry_office", declaration.origin_id)
            self.initial.setdefault("exit_office", declaration.destination_id)

    def clean_permit_no(self) -> str:
        return identifiers.permit_number(self.cleaned_data["permit_no"])

    def clean_route(self):
        text = dates.ascii_digits(self.cleaned_data["route"]).replace(",", ";").replace("،", ";")
        codes = [c.strip().upper() for c in text.split(";") if c.strip()]
        known = set(CustomsOffice.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise forms.ValidationError(_("Unknown office code: %(codes)s") % {"codes": ", ".join(unknown)})
        try:
            repeated("route", codes, gettext("office %(value)s"))
        except RowInvalid as exc:
            raise forms.ValidationError(exc.message) from None
        return codes

    def clean(self):
        """The service's own checks that these fields allow (``permits.traffic_permit_problems``), asked
        even when other fields failed: one submit names every problem, each beside its field."""
        data = super().clean()
        route = data.get("route") if "route" in data else None
        if route == [] and self.declaration is not None:
            route = list(self.declaration.route or [])  # as the page records it: empty is the declaration's
        problems = permits.traffic_permit_problems(
            permit_no=data.get("permit_no"),
            entry_office=data.get("entry_office"),
            exit_office=data.get("exit_office"),
            allowed_hours=data.get("allowed_hours") if "route" in data else None,  # no route read: no length
            route=route,
            route_km=data.get("route_km"),
            issued_at=data.get("issued_at"),
            fuel_receipt_date=data.get("fuel_receipt_date"),
        )
        for name, message in problems.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data


class PermitWaiverForm(PageForm):
    reason = forms.CharField(
        label=_("Why the truck may depart without a valid permit"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PermitStopForm(PageForm):
    """A breakdown or accident stop on the permit (Art. 12 note 3), ``permit_checks.permit_stop_record``."""

    kind = forms.ChoiceField(label=_("Kind"), choices=PermitStop.Kind.choices)
    started_at = JalaliDateTimeField(
        label=_("Stopped at"), help_text=with_example(gettext_noop("Jalali date and time, e.g. %(example)s."), True)
    )
    ended_at = JalaliDateTimeField(
        label=_("Moved on at"), required=False, help_text=_("Empty while the truck is still there.")
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    office = NameOrderedChoiceField(
        label=_("Nearest customs office"), queryset=CustomsOffice.objects.order_by("code"), required=False
    )
    confirmed_by = forms.CharField(
        label=_("Confirmed by"), max_length=200, help_text=_("Name and authority (police, road maintenance ...).")
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PermitExitForm(PageForm):
    at = JalaliDateTimeField(
        label=_("Left the country at"),
        required=False,
        help_text=with_example(gettext_noop("Jalali date and time, e.g. %(example)s. Leave empty for now."), True),
    )


class PermitFilterForm(ListFilterForm):
    """The permits list's ``?validity=`` (all when not given); a state that is not one is refused beside the
    filter, never read as all of them."""

    validity = forms.ChoiceField(
        label=_("validity"), required=False, choices=[("", "—"), *((v, v) for v in VALIDITY_CHOICES)]
    )


class ArrivalReadReviewForm(PageForm):
    """Why a confirmed arrival has no plate read at the destination (``arrival_reads.arrival_read_review``),
    or «refer»; on the declaration's page beside its flag (prefix ``arrival_read``)."""

    PREFIX = "arrival_read"

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=ArrivalReadReason.choices,
        # One reason per line: side by side, «other» sat beside «not explained: refer» and was ticked for it.
        widget=StackedRadioSelect,
        error_messages={"required": _("Choose the reason, or «not explained: refer to the inspector».")},
    )
    # Offered only when an outage was known at the arrival's time (``arrival_reads.outages``).
    outage = forms.ChoiceField(label=_("Outage known at the arrival's time"), required=False, choices=[])
    note = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    # The review a revision supersedes: the one the page showed as counting (one revised meanwhile is refused).
    supersedes = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, outages: Sequence[Outage] = (), supersedes: int | None = None, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)
        # An empty note is named as a short one is, with how long it must be.
        self.fields["note"].error_messages["required"] = note_error("")
        self.fields["note"].help_text = gettext(
            "At least %(n)s letters or digits: what you found and how you checked it (for a revision, why it is "
            "revised); punctuation marks are not counted."
        ) % {"n": digits(NOTE_MIN_LENGTH)}
        if outages:
            field = cast(forms.ChoiceField, self.fields["outage"])
            field.choices = [(o.ref, o.text) for o in outages] + [("", gettext("none of these"))]
            field.initial = outages[0].ref
            field.help_text = gettext("Only for a camera out of service.")
        else:
            del self.fields["outage"]
        if supersedes is not None:
            self.fields["supersedes"].initial = supersedes

    def clean_note(self) -> str:
        note = (self.cleaned_data.get("note") or "").strip()
        if problem := note_error(note):
            raise forms.ValidationError(problem)
        return note

    def clean(self):
        cleaned = super().clean()
        # The outage box keeps its first choice whatever reason is ticked: it names an outage only for a camera
        # out of service, and is left out for any other reason rather than refusing the review.
        if "outage" in cleaned and cleaned.get("reason") != ArrivalReadReason.CAMERA_DOWN:
            cleaned["outage"] = ""
        return cleaned
