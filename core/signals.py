"""Signals core sends and higher apps answer (core imports no app, so it cannot call them).

``file_integrity_failed``: a stored evidence file or export no longer has the SHA-256 recorded
when it was stored (altered or removed on disk); ``core.files.serve_evidence`` refused to serve
it. Sent with ``sender`` the model class and the keyword arguments:

- ``instance``: the record the file belongs to;
- ``field``: the file field's name; ``name``: the file's name in storage;
- ``expected``: the SHA-256 recorded at storage ("" when none was); ``actual``: the SHA-256 of
  the bytes now on disk ("" when the file is gone);
- ``office_id``: the office the file belongs to, when one does (None for a national return);
- ``declaration_id``: the declaration the file is evidence about, if any;
- ``request``: the request that found it (None outside one).

``reports`` connects to it in its ``AppConfig.ready`` and opens one system problem per file for
the IT office.

``job_gave_up``: the sweeper (``core.taskruns.requeue_or_fail``) queued a stuck job again as many
times as ``JOB_MAX_ATTEMPTS`` allows and marked it failed. Sent with ``sender`` the row's model class
and the keyword arguments ``instance`` (the row), ``kind`` (the kind of job, e.g. "comparison"),
``reason`` (what the row now says, for a person, in the site's language), ``reason_message`` (the same
as a message in ``notifications.messages``' JSON form), ``office_id`` and ``declaration_id`` (or None).
``reports`` opens one system problem per job for the IT office, who are notified.

``export_finished``: an export job (``core.exports``) has ended, its file ready or failed. Sent inside
the transaction that records it, with ``sender`` ``ExportJob`` and the keyword arguments ``instance``
(the job: ``state`` "done" or "failed", ``error``) and ``kind_label`` (what the export is called).
``notifications`` tells the person who asked for it.

``export_downloaded``: an export job's file was served to someone (``core.views.export_download``), in
that request. Sent with ``sender`` ``ExportJob`` and the keyword arguments ``instance`` (the job) and
``user`` (who took it: the asker, or the IT office looking at everyone's). ``notifications`` closes that
person's notice that the file is ready: it has been dealt with.
"""

from django.dispatch import Signal

file_integrity_failed = Signal()
job_gave_up = Signal()
export_finished = Signal()
export_downloaded = Signal()
