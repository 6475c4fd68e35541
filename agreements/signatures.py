"""What an electronically signed file says about who signed it and when.

PAdES (a PDF with embedded signatures) is read and validated with pyHanko:
for each signature the signer from the signing certificate, the signing time
from the signed attributes, and whether the signature is intact (the bytes it
covers are unchanged and the cryptography holds). Whether the certificate
chains to a qualified trust service is NOT checked: the deployment has no
trust list configured, so the page says "not checked" rather than "trusted".

XAdES (.xml) is parsed for the signer's certificate and the declared signing
time only; it is not verified and the page says so.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import unicodedata
from dataclasses import asdict, dataclass
from typing import IO

logger = logging.getLogger(__name__)

DS = "{http://www.w3.org/2000/09/xmldsig#}"
XADES = "{http://uri.etsi.org/01903/v1.3.2#}"


@dataclass
class ReadSignature:
    signer: str  # the certificate subject's common name
    organisation: str
    signed_at: str  # ISO 8601, aware; "" when the file does not say
    intact: bool | None  # None: not verified (XAdES)
    covers_whole_file: bool | None
    summary: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _name_parts(subject: object) -> tuple[str, str]:
    """Common name (or given name + surname) and organisation of an asn1crypto Name."""
    native = subject.native  # type: ignore[attr-defined]
    name = native.get("common_name") or " ".join(
        p for p in (native.get("given_name"), native.get("surname")) if p
    )
    return str(name or ""), str(native.get("organization_name") or "")


def read_pades(handle: IO[bytes]) -> list[ReadSignature]:
    """Every signature embedded in a PDF, validated. [] for a PDF without signatures.

    A PDF pyHanko cannot parse is treated as unsigned (it passed the upload's
    content check, so it is some PDF; a scan from a copier is the usual case).
    pyHanko's validation runs its own event loop, so inside a running one (an
    async server) it is done in a worker thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _read_pades(handle)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_read_pades, handle).result()


def _read_pades(handle: IO[bytes]) -> list[ReadSignature]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    handle.seek(0)
    try:
        reader = PdfFileReader(handle, strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 — any unparseable PDF is "no signature we can read"
        logger.info("PDF signatures could not be read", exc_info=True)
        return []
    found = []
    for sig in embedded:
        # No trust roots: the chain is not judged, only integrity and validity.
        context = ValidationContext(trust_roots=[], allow_fetching=False)
        try:
            status = validate_pdf_signature(sig, context)
            signer, org = _name_parts(status.signing_cert.subject)
            signed_at = status.signer_reported_dt or sig.self_reported_timestamp
            covers = getattr(status.coverage, "name", "") == "ENTIRE_FILE"
            intact = bool(status.intact and status.valid)
            summary = status.summary()
        except Exception as exc:  # noqa: BLE001 — a broken signature is reported, not raised
            logger.info("PDF signature could not be validated", exc_info=True)
            signer, org, signed_at, covers, intact, summary = "", "", None, False, False, str(exc)
        found.append(
            ReadSignature(
                signer=signer,
                organisation=org,
                signed_at=signed_at.isoformat() if signed_at else "",
                intact=intact,
                covers_whole_file=covers,
                summary=summary[:500],
            )
        )
    handle.seek(0)
    return found


def read_xades(handle: IO[bytes]) -> list[ReadSignature]:
    """Signer and declared signing time of each ds:Signature in an XML file (not verified)."""
    from cryptography import x509
    from defusedxml import ElementTree

    handle.seek(0)
    try:
        root = ElementTree.parse(handle).getroot()
    except Exception:  # noqa: BLE001 — not well-formed XML
        return []
    finally:
        handle.seek(0)
    found = []
    for signature in root.iter(f"{DS}Signature"):
        signer = org = ""
        cert_el = signature.find(f".//{DS}X509Certificate")
        if cert_el is not None and cert_el.text:
            try:
                cert = x509.load_der_x509_certificate(
                    base64.b64decode("".join(cert_el.text.split()))
                )
                signer = _x509_attr(cert.subject, x509.NameOID.COMMON_NAME)
                org = _x509_attr(cert.subject, x509.NameOID.ORGANIZATION_NAME)
            except ValueError:
                pass
        time_el = signature.find(f".//{XADES}SigningTime")
        found.append(
            ReadSignature(
                signer=signer,
                organisation=org,
                signed_at=(time_el.text or "").strip() if time_el is not None else "",
                intact=None,
                covers_whole_file=None,
                summary="XAdES: not verified",
            )
        )
    return found


def _x509_attr(name: object, oid: object) -> str:
    values = name.get_attributes_for_oid(oid)  # type: ignore[attr-defined]
    return str(values[0].value) if values else ""


def normalise_name(name: str) -> str:
    """For comparing a typed name with a certificate's: case, accents, order and spacing aside."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("ł", "l")
    return " ".join(sorted(letters.replace(",", " ").split()))


def signing_date(signatures: list[dict[str, object]]) -> dt.date | None:
    """The day the last signature was made (Europe/Warsaw), if the file says."""
    from django.utils import timezone

    times = [dt.datetime.fromisoformat(str(s["signed_at"])) for s in signatures if s["signed_at"]]
    aware = [t if t.tzinfo else timezone.make_aware(t) for t in times]
    return timezone.localtime(max(aware)).date() if aware else None
