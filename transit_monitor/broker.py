"""The embedded default's Celery broker: Kombu's filesystem transport, with each message written whole.

Kombu's filesystem channel opens ``<time>_<uuid>.<queue>.msg`` and then writes it. A worker listing the
folder between the two moves away an empty file and fails to decode it. Here the message is written
under a name no queue matches and renamed into place (atomic on one filesystem), so a reader sees a
whole message or none. Everything else (fanout for remote control, polling) is Kombu's.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f"{uuid.uuid4()}.partial")  # matches no ".<queue>.msg"
        try:
            with open(partial, "wb") as fh:
                fh.write(dumps(payload).encode())
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
