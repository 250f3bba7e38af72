"""The plausibility flags of a whole campaign as a computed report (``giamngheo.computed``).

The campaign page shows the upper level every commune's flags; they read every listed
household's surveys and records and every member of the campaign's communes (about 1,7 s for
the demo's eight communes and 64,000 people), so a province-wide campaign would keep its page
waiting for minutes. The worker computes them once per data version and the page shows the
last result (saying when it was computed while a newer one is on its way):

* version: :func:`giamngheo.registry.version.registry_stamp` (every step of a review writes an
  audit row, so any change moves it);
* scope: the campaign: only those who see the whole campaign are shown its flags;
* part ``flags``: ``{commune review pk: [Flag, …]}`` (``reviews.flags.review_flags``);
* cache: ``CACHES["reviews"]`` (a file cache shared by the web processes and the worker).

A commune's page computes its own flags at once: one commune is quick.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from giamngheo.computed.definition import ComputedReport
from giamngheo.registry.version import registry_stamp
from giamngheo.reviews.flags import review_flags
from giamngheo.reviews.models import Campaign

__all__ = ["CAMPAIGN_FLAGS", "CampaignFlagsReport"]


class CampaignFlagsReport(ComputedReport[Campaign]):
    name = "review_flags"
    parts = ("flags",)
    cache_alias = "reviews"

    def data_version(self) -> str:
        return registry_stamp()

    def scope(self, actor: Any, params: Campaign) -> object:
        return ("campaign", params.pk)

    def compute(self, actor: Any, params: Campaign, version: str) -> Iterator[tuple[str, object]]:
        reviews = list(params.communes.select_related("commune", "campaign").order_by("pk"))
        yield "flags", review_flags(reviews)

    def encode_params(self, params: Campaign) -> dict[str, Any]:
        return {"campaign": params.pk}

    def decode_params(self, data: Mapping[str, Any]) -> Campaign:
        return Campaign.objects.get(pk=data["campaign"])


CAMPAIGN_FLAGS = CampaignFlagsReport()
