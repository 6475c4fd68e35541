"""Transport to SEPI, and nothing else: JSON over HTTPS with a client
certificate, connect/read timeouts, and retries with exponential backoff and
jitter for 5xx answers, timeouts and dropped connections only.

What the answer means (the schema, the circuit breaker, the typed result) is
the adapter's business (`sepi/adapter.py`), so this module can be swapped
for another transport without touching the rest.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from .types import (
    SepiConnectionError,
    SepiError,
    SepiMalformed,
    SepiRejected,
    SepiTimeout,
    SepiUnavailable,
)

logger = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 1024 * 1024  # a status answer is a few kB; refuse anything absurd


@dataclass(frozen=True)
class TransportConfig:
    base_url: str
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    retries: int = 2
    backoff: float = 0.5
    backoff_max: float = 8.0
    client_cert: str = ""
    client_key: str = ""
    ca_bundle: str = ""


def backoff_delay(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, so
    workers retrying at once spread out instead of hitting SEPI together."""
    delay = min(cap, base * 2**attempt)
    return delay / 2 + random.uniform(0, delay / 2)


class Transport:
    def __init__(
        self, config: TransportConfig, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.config = config
        self._sleep = sleep
        pool_kwargs: dict[str, Any] = {
            # `read` bounds each wait for data, `total` the whole attempt (a slow drip too).
            "timeout": urllib3.Timeout(
                connect=config.connect_timeout,
                read=config.read_timeout,
                total=config.connect_timeout + config.read_timeout,
            ),
            "retries": False,  # we retry ourselves: only what is safe to retry
            "maxsize": 4,
        }
        if config.base_url.startswith("https://"):
            pool_kwargs["cert_reqs"] = "CERT_REQUIRED"
            if config.ca_bundle:
                pool_kwargs["ca_certs"] = config.ca_bundle
            if config.client_cert:
                pool_kwargs["cert_file"] = config.client_cert
                pool_kwargs["key_file"] = config.client_key or None
        self._pool = urllib3.PoolManager(**pool_kwargs)

    def post_json(self, path: str, payload: dict[str, Any], *, request_id: str = "") -> Any:
        """POST `payload` as JSON and return the decoded JSON answer.

        Raises SepiUnavailable (5xx), SepiTimeout, SepiConnectionError (after
        the retries), SepiRejected (4xx, not retried) or SepiMalformed.
        """
        url = f"{self.config.base_url}{path}"
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Request-Id": request_id,
        }
        error: SepiError = SepiConnectionError("no attempt made")
        for attempt in range(self.config.retries + 1):
            if attempt:
                self._sleep(
                    backoff_delay(
                        attempt - 1, base=self.config.backoff, cap=self.config.backoff_max
                    )
                )
            try:
                return self._once(url, body, headers)
            except (SepiUnavailable, SepiTimeout, SepiConnectionError) as exc:
                error = exc
                logger.warning(
                    "SEPI attempt %s/%s failed: %s",
                    attempt + 1,
                    self.config.retries + 1,
                    exc.code,
                )
        raise error

    def _once(self, url: str, body: bytes, headers: dict[str, str]) -> Any:
        try:
            response = self._pool.request(
                "POST", url, body=body, headers=headers, preload_content=False
            )
        except NewConnectionError as exc:  # a subclass of urllib3's TimeoutError: first
            raise SepiConnectionError(str(exc)) from exc
        except Urllib3Timeout as exc:
            raise SepiTimeout(str(exc)) from exc
        except Urllib3Error as exc:
            raise SepiConnectionError(str(exc)) from exc
        try:
            raw = response.read(MAX_ANSWER_BYTES + 1)
        except Urllib3Timeout as exc:
            raise SepiTimeout(str(exc)) from exc
        except Urllib3Error as exc:
            raise SepiConnectionError(str(exc)) from exc
        finally:
            response.release_conn()
        if response.status >= 500:
            raise SepiUnavailable(f"HTTP {response.status}")
        if response.status >= 400:
            raise SepiRejected(f"HTTP {response.status}: {raw[:200]!r}")
        if len(raw) > MAX_ANSWER_BYTES:
            raise SepiMalformed("answer too large")
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SepiMalformed(f"not JSON: {exc}") from exc
