"""Pages for follow-up letters and judicial cases (mounted at /casework/)."""

from django.urls import path

from . import views as v

app_name = "casework"
urlpatterns = [
    path("letters/", v.letter_list, name="letters"),
    path("inbox/", v.inbox, name="inbox"),
    path("letters/send/", v.letter_send_batch, name="letter_send_batch"),
    path("letters/new/<int:declaration_pk>/", v.letter_new, name="letter_new"),
    path("letters/<int:pk>/", v.letter_detail, name="letter"),
    path("letters/<int:pk>/send/", v.letter_send, name="letter_send"),
    path("letters/<int:pk>/answer/", v.letter_answer, name="letter_answer"),
    path("letters/<int:pk>/pdf/", v.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/reply-file/", v.letter_reply_document, name="letter_reply_document"),
    path("cases/", v.case_list, name="cases"),
    path("cases/new/<int:declaration_pk>/", v.case_new, name="case_new"),
    path("cases/<int:pk>/", v.case_detail, name="case"),
    path("milestones/", v.milestone_list, name="milestones"),
]
