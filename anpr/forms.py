"""Forms of the anpr pages: register and retire a camera, the review queue's filter, read a plate from the
photo, train and roll back."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import CustomsOffice
from core.errors import InvalidInput
from core.forms import ListFilterForm, NameOrderedChoiceField, PageForm, PageIntegerField
from core.text import digits, isolate, too_long
from declarations.plates import iranian_group_error
from declarations.plates import typed as plate_typed
from declarations.selectors import scope_offices

from . import services
from .models import LANE_FORM, Camera, LabelReason, PlateLabel, PlateLayout


class CameraForm(PageForm):
    office = NameOrderedChoiceField(label=gettext_lazy("office"), queryset=CustomsOffice.objects.none())
    code = forms.CharField(
        label=gettext_lazy("code"),
        max_length=32,
        help_text=gettext_lazy("Unique, e.g. BZG-CAM-1; the camera sends it with every read."),
        widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
    )
    direction = forms.ChoiceField(label=gettext_lazy("direction"), choices=Camera.Direction.choices)
    lane = forms.CharField(
        label=gettext_lazy("lane"),
        max_length=32,
        required=False,
        help_text=LANE_FORM,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    model_name = forms.CharField(label=gettext_lazy("model"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = scope_offices(user)
        self.fields["direction"].choices = [("", "---------"), *Camera.Direction.choices]

    # The service's checks, here too so that a wrong code and a wrong lane are said at once, each beside its field.
    def clean_code(self) -> str:
        return _checked(services.camera_code_checked, self.cleaned_data["code"])

    def clean_lane(self) -> str:
        return _checked(services.camera_lane_checked, self.cleaned_data["lane"])


def _checked(check, value: str) -> str:
    try:
        return check(value)
    except InvalidInput as exc:
        raise forms.ValidationError(str(exc)) from exc


class RetireForm(PageForm):
    # Not required here: the service says what is missing (one message, page and API alike). Its limit is the
    # service's, said here with both lengths (no max_length: its message says only the limit).
    reason = forms.CharField(
        label=gettext_lazy("reason for retiring"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_reason(self) -> str:
        if error := too_long(self.cleaned_data["reason"], services.RETIRE_REASON_MAX):
            raise forms.ValidationError(error)
        return self.cleaned_data["reason"]


# --- The filters of the cameras list, the plate search and the reports ------------------------------------


class _CodeChoiceField(forms.ChoiceField):
    """A code among the choices, typed in any case and with spaces around it (``?office= bzg``)."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class CameraFilter(ListFilterForm):
    """The cameras list's ``?office=CODE``: an office of the user's scope, or none for all of them. A code
    that is none of them (mistyped, another province's) is refused, never read as «no cameras» or «all»."""

    office = _CodeChoiceField(label=gettext_lazy("office"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [("", "—"), *((o.code, o.code) for o in scope_offices(user))]


EXPORT_FORMATS = ("csv", "xlsx", "pdf")


class ExportFilter(ListFilterForm):
    """``?format=csv|xlsx|pdf``: the page's table as a file; absent, the page. Any other format is refused
    beside the filters (400, no file), never the page in place of the file asked for."""

    format = forms.ChoiceField(
        label=gettext_lazy("format"), required=False, choices=[("", "—"), *((f, f.upper()) for f in EXPORT_FORMATS)]
    )


class ReportFilter(ExportFilter):
    """A report's ``?sort=N`` (a column, from 0, of a report that sorts) and ``&dir=asc|desc``, and its
    ``?format=``. A column the report does not have, or a direction that is none, is refused."""

    sort = forms.TypedChoiceField(label=gettext_lazy("sort"), required=False, coerce=int, empty_value=None)
    dir = forms.ChoiceField(
        label=gettext_lazy("sort order"),
        required=False,
        choices=[("", "—"), ("asc", gettext_lazy("ascending")), ("desc", gettext_lazy("descending"))],
    )

    def __init__(self, *args, columns: int, **kwargs):
        super().__init__(*args, **kwargs)
        sort = cast(forms.TypedChoiceField, self.fields["sort"])
        sort.choices = [("", "—"), *((str(i), str(i)) for i in range(columns))]


# --- Reading a plate from the photo (the review queue) ------------------------------------------


class ReviewQueueFilter(PageForm):
    """The review queue's ``?kind=``: one of ``kinds`` (the queue's tabs) or none for all of them. A kind
    not among them is refused beside the tabs, never read as «all»."""

    kind = forms.ChoiceField(
        label=gettext_lazy("kind"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("There is no queue of that kind: choose one of the tabs.")},
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", gettext_lazy("all")), *((k, LabelReason(k).label) for k in kinds)]


_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
LETTER_NAMES = {
    "ا": "الف",
    "D": format_lazy("D ({})", pgettext_lazy("plate letter", "diplomatic")),
    "S": format_lazy("S ({})", pgettext_lazy("plate letter", "service")),
}


def _digits(value: str, n: int, part, wrong_count: str) -> str:
    """The part's ``n`` digits in Latin digits (any digit script typed), or refused saying what was typed and
    what is wrong with it, after the part's name as an empty part's error: digits in the page's digits, anything
    else as typed (isolated, in its own order); ``wrong_count`` names the count and how to type it."""
    typed_text = (value or "").strip()
    text = typed_text.translate(_DIGITS)
    if not text.isascii() or not text.isdigit():
        raise forms.ValidationError(
            _("%(part)s: “%(value)s” holds more than digits; type digits only.")
            % {"part": part, "value": plate_typed(typed_text)}
        )
    if len(text) != n:
        raise forms.ValidationError(wrong_count % {"part": part, "value": isolate(digits(text))})
    return text


class PlateEntryForm(PageForm):
    """An Iranian plate typed as it stands on the plate (two digits, the letter, three digits, the
    province's two digits), a foreign plate with its country, or an Iranian plate of another layout
    (free-zone, older, motorcycle) as it is written. Each part is checked on its own and its error
    shown beside it; any digit script is accepted."""

    IRANIAN, FOREIGN, OTHER_LAYOUT = "IR", "foreign", "other"

    kind = forms.ChoiceField(
        label=gettext_lazy("plate"),
        choices=[
            (IRANIAN, gettext_lazy("Iranian plate")),
            (FOREIGN, gettext_lazy("foreign plate")),
            (OTHER_LAYOUT, gettext_lazy("Iranian plate of another layout")),
        ],
        initial=IRANIAN,
        widget=forms.RadioSelect,
    )
    two = forms.CharField(label=gettext_lazy("two digits"), max_length=2, required=False)
    letter = forms.ChoiceField(label=gettext_lazy("letter"), required=False)
    three = forms.CharField(label=gettext_lazy("three digits"), max_length=3, required=False)
    province = forms.CharField(label=gettext_lazy("province code"), max_length=2, required=False)
    foreign_country = forms.CharField(
        label=gettext_lazy("country"),
        max_length=2,
        required=False,
        help_text=gettext_lazy("Two letters (ISO), e.g. TR, IQ, AF."),
    )
    foreign_text = forms.CharField(label=gettext_lazy("plate text"), max_length=16, required=False)
    layout = forms.ChoiceField(label=gettext_lazy("layout"), choices=[("", "—"), *PlateLayout.choices], required=False)
    other_text = forms.CharField(
        label=gettext_lazy("plate as written"),
        max_length=40,
        required=False,
        help_text=format_lazy(
            gettext_lazy("The zone's or city's name and the number, e.g. {example}."),
            example=isolate("اروند ۳۰۴۴۳۲", "rtl"),  # kept in its own order on English pages too
        ),
    )
    # No max_length: the browser would cut a pasted note silently; ``clean_note`` refuses one too long, saying
    # how much was typed (the limit is the table's).
    note = forms.CharField(label=gettext_lazy("note"), required=False, widget=forms.Textarea)
    note_max = PlateLabel._meta.get_field("note").max_length

    def __init__(self, *args, **kwargs):
        from declarations.plates import ALL_PLATE_LETTERS

        super().__init__(*args, **kwargs)
        self.fields["letter"].choices = [("", "—")] + [(c, LETTER_NAMES.get(c, c)) for c in ALL_PLATE_LETTERS]
        # Each digit box takes its part's digits (``maxlength``: a Persian digit is one character too, and the
        # boxes' digits are read in any script); a longer value sent all the same is refused by ``clean`` saying
        # what was typed, not by the length check's own words.
        for name in ("two", "three", "province"):
            part = self.fields[name]
            part.validators = [v for v in part.validators if not isinstance(v, MaxLengthValidator)]

    @classmethod
    def initial_for(cls, plate: str, country: str = "", layout: str = "") -> dict:
        """The fields filled from a plate already read (the reviewer confirms or corrects it); ``layout``:
        a plate of another layout (a label's, or the one the reader named when it deferred the read)."""
        from declarations.plates import IRANIAN_RE

        if layout:
            return {"kind": cls.OTHER_LAYOUT, "layout": layout, "other_text": plate or ""}
        m = IRANIAN_RE.match(plate or "")
        if m and country in ("", "IR"):
            return {"kind": cls.IRANIAN, "two": m[1], "letter": m[2], "three": m[3], "province": m[4]}
        if plate and country and country != "IR":
            return {"kind": cls.FOREIGN, "foreign_country": country, "foreign_text": plate}
        return {"kind": cls.IRANIAN}

    @classmethod
    def initial_for_partial(cls, partial: str) -> dict:
        """The fields filled from a plate the reader read in part (``PlateRead.ocr_partial``): each part whose
        places were all read; the others stay empty for the reviewer."""
        from declarations.plates import PARTIAL_RE

        m = PARTIAL_RE.match(partial or "")
        initial: dict = {"kind": cls.IRANIAN}
        if m:
            for name, value in zip(("two", "letter", "three", "province"), m.groups(), strict=True):
                if "?" not in value:
                    initial[name] = value
        return initial

    def required(self, name: str) -> str:
        """A part left empty, named: its error runs under the whole plate (the widget's style), not under its box
        alone, so it says which part it is about; a part typed wrong says, in the same style, what was typed and
        what is wrong with it, and how to type it (``_digits``)."""
        return _("%(part)s: this part is required.") % {"part": capfirst(self.fields[name].label)}

    def clean_note(self) -> str:
        from .review import checked_note

        try:
            return checked_note(self.cleaned_data.get("note") or "")
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from exc

    def add_error(self, field, error):
        # The plate's parts are checked whatever else is wrong (a note too long), all errors shown at once; a
        # part refused already (a letter that is none) keeps its own message alone.
        if field is not None and field in self.errors:
            return
        super().add_error(field, error)

    IRANIAN_PARTS = ("two", "letter", "three", "province")

    def _drop_iranian_parts(self, data: dict) -> None:
        """Another kind of plate chosen: the Iranian boxes (filled from a plate read in part, or typed before the
        choice) are no part of it. Ignored, their errors too, and a refused submit shows them empty."""
        sent = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict (or a dict): its copy may be changed
        for name in self.IRANIAN_PARTS:
            data[name] = ""
            sent[self.add_prefix(name)] = ""
            self.errors.pop(name, None)
        self.data = sent

    def clean(self):
        data = super().clean()
        if "kind" in self.errors:
            return data
        # The Iranian parts left empty and another section filled in: that section was meant (the
        # choice above it is easy to miss).
        if data.get("kind") == self.IRANIAN and not any(data.get(k) for k in self.IRANIAN_PARTS):
            if (data.get("other_text") or "").strip():
                data["kind"] = self.OTHER_LAYOUT
            elif (data.get("foreign_text") or "").strip():
                data["kind"] = self.FOREIGN
        if data.get("kind") in (self.FOREIGN, self.OTHER_LAYOUT):
            self._drop_iranian_parts(data)
        if data.get("kind") == self.FOREIGN:
            from .review import foreign_country, foreign_text

            country = (data.get("foreign_country") or "").strip().upper()
            if len(country) != 2 or not country.isascii() or not country.isalpha() or country == "IR":
                self.add_error("foreign_country", _("Give the country as two Latin letters (not IR)."))
            else:
                try:  # a real country's code (ZZ is none)
                    foreign_country(country)
                except InvalidInput as exc:
                    self.add_error("foreign_country", str(exc))
            text = (data.get("foreign_text") or "").strip()
            if not text:
                self.add_error("foreign_text", _("Type the plate as it is written."))
            else:
                try:
                    foreign_text(text)
                except InvalidInput as exc:
                    self.add_error("foreign_text", str(exc))
            data["country"], data["plate"] = country, text
            data["layout"] = ""
            return data
        if data.get("kind") == self.OTHER_LAYOUT:
            from .review import other_layout_text

            layout = data.get("layout") or ""
            if not layout:
                self.add_error("layout", _("Choose the plate's layout."))
            try:  # the text is checked whatever the layout, so that both errors show at once
                data["plate"] = other_layout_text(data.get("other_text") or "", layout or PlateLayout.FREE_ZONE)
            except InvalidInput as exc:
                self.add_error("other_text", str(exc))
            data["country"] = "IR"
            return data
        data["layout"] = ""
        checks = (
            ("two", 2, _("%(part)s: “%(value)s” is not two digits; type the two digits on the left of the plate.")),
            ("three", 3, _("%(part)s: “%(value)s” is not three digits; type the three digits after the letter.")),
            (
                "province",
                2,
                _("%(part)s: “%(value)s” is not two digits; the province code is the two digits under «ایران»."),
            ),
        )
        parts = {}
        for name, n, message in checks:
            if not (data.get(name) or "").strip():
                self.add_error(name, self.required(name))
                continue
            try:
                parts[name] = _digits(data.get(name, ""), n, capfirst(self.fields[name].label), message)
            except forms.ValidationError as exc:
                self.add_error(name, exc)
            else:  # the shape is right; a group no plate has (00, 000, a leading 0) is refused beside it too
                if impossible := iranian_group_error(name, parts[name]):
                    self.add_error(name, impossible)
        if not data.get("letter"):
            self.add_error("letter", self.required("letter"))
        if not self.errors:
            data["country"] = "IR"
            data["plate"] = f"{parts['two']}{data['letter']}{parts['three']}{parts['province']}"
        return data


class RollbackForm(PageForm):
    reason = forms.CharField(label=gettext_lazy("why"), max_length=300, required=False)


class TrainingForm(PageForm):
    # Typed and shown in the page's digits (Persian first), Latin digits taken too.
    steps = PageIntegerField(label=gettext_lazy("training steps"), min_value=1, max_value=100_000)
    synth = PageIntegerField(label=gettext_lazy("rendered plates"), min_value=0, max_value=500_000)
