from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from accounts.scoping import get_scoped_or_404

from .models import PlateRead


def _file(fieldfile):
    if not fieldfile:
        raise Http404
    kind = "image/png" if fieldfile.name.endswith(".png") else "image/jpeg"
    response = FileResponse(fieldfile.open("rb"), content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def photo(request, pk: int):
    return _file(get_scoped_or_404(PlateRead.objects.all(), request.user, pk=pk).photo)


@login_required
def crop(request, pk: int):
    return _file(get_scoped_or_404(PlateRead.objects.all(), request.user, pk=pk).crop)
