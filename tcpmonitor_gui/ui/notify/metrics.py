"""Why the window's Prometheus metrics are not served (setting ``metrics_listen``), told in
the banner in the user's language.

The engine says where it could not listen and the system's words for why; the banner said
"127.0.0.1:9464 cannot be used (Address already in use)" in the Chinese window too.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from ..common.i18n import translate
from ..common.system_words import system_text
from .banner import Banner

if TYPE_CHECKING:
    from ...engine.engine import Engine


def metrics_failed_text(where: str, why: str) -> tuple[str, str]:
    """The banner's title and text for metrics that could not be served at ``where``."""
    title = translate("Metrics", "Metrics are not served")
    text = translate("Metrics", "{address} cannot be used ({why})")
    return title, text.format(address=where, why=system_text(why))


def tell_metrics_failed(banner: Banner, where: str, why: str) -> None:
    """Until the user closes it, or the port is free (tried again): metrics not served."""
    banner.problem(*metrics_failed_text(where, why), "metrics")


def tell_metrics_served(banner: Banner, where: str) -> None:
    """The port was free after all: what the banner said of it taken back, and said so."""
    served = translate("Metrics", "Metrics are served at {address}").format(address=where)
    banner.show_message(served, "", "info", key="metrics")  # in place of the problem


def follow_metrics(engine: Engine, banner: Banner) -> None:
    """What the banner says of the window's metrics, as the engine tells it."""
    engine.metricsFailed.connect(functools.partial(tell_metrics_failed, banner))
    engine.metricsServed.connect(functools.partial(tell_metrics_served, banner))
