"""Files that people upload: what is accepted, where it is stored, how it goes back out.

Every upload is checked by its content, not by its name: a script renamed
"zgoda.pdf" is refused. Stored files get random names under MEDIA_ROOT (never
served by a public URL), so neither a client's name in "zgoda_Kowalski.pdf"
nor a guessable path ends up on disk; the name the user gave is kept in the
model and used only as the download's name, sent `as attachment`.
"""

from __future__ import annotations

import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.core.files import File
    from django.db.models.fields.files import FieldFile
    from django.utils.functional import Promise

# filetype looks at this much of the start; a zip's directory (at its end) is read separately.
HEAD_BYTES = 8192
# Kept original names: the model fields take 255 characters, browsers and
# file systems get awkward long before.
FILENAME_MAX = 200


@dataclass(frozen=True)
class FileType:
    label: str  # as shown to people: "PDF", "JPG"
    extensions: tuple[str, ...]  # the first is the one stored files get
    mime: str

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileType("PDF", ("pdf",), "application/pdf")
JPEG = FileType("JPG", ("jpg", "jpeg"), "image/jpeg")
PNG = FileType("PNG", ("png",), "image/png")
ODT = FileType("ODT", ("odt",), "application/vnd.oasis.opendocument.text")
ODS = FileType("ODS", ("ods",), "application/vnd.oasis.opendocument.spreadsheet")
ODP = FileType("ODP", ("odp",), "application/vnd.oasis.opendocument.presentation")
DOCX = FileType(
    "DOCX", ("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
XLSX = FileType(
    "XLSX", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
PPTX = FileType(
    "PPTX", ("pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)
# Only where a field takes it (an electronically signed XAdES file): judged by
# its content too, an XML declaration or root element in UTF-8 (_xml_type).
XML = FileType("XML", ("xml",), "application/xml")
_BY_EXTENSION = {
    ext: kind
    for kind in (PDF, JPEG, PNG, ODT, ODS, ODP, DOCX, XLSX, PPTX, XML)
    for ext in kind.extensions
}
# Office documents are zip archives. filetype 1.2.0 looks only at the first few
# entries: it calls a DOCX saved by LibreOffice or an ODT with a compressed
# "mimetype" entry a plain zip, and any zip whose first entry is "word/..." a
# DOCX. So for anything zip-like the archive's directory decides (_zip_type).
_ZIP_LIKE = {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp"}
_ODF_BY_MIME = {kind.mime: kind for kind in (ODT, ODS, ODP)}
_OOXML_BY_FOLDER = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}


@dataclass(frozen=True)
class Accepted:
    """The types one upload field takes, and how to say so when the content is another."""

    types: tuple[FileType, ...]
    refusal: str | Promise


DOCUMENTS = Accepted(
    (PDF, JPEG, PNG, ODT, DOCX),
    _("The file's content is not a PDF, JPG, PNG, ODT or DOCX document."),
)
SCANS = Accepted((PDF, JPEG, PNG), _("The file's content is not a PDF, JPG or PNG document."))
SIGNED_DOCUMENTS = Accepted(
    (PDF, JPEG, PNG, XML),
    _(
        "The file's content is not a PDF (a scan or a signed PDF), a JPG or PNG scan, "
        "or a signed XML (XAdES) file."
    ),
)
OFFICE_FILES = Accepted(
    (PDF, JPEG, PNG, ODT, ODS, ODP, DOCX, XLSX, PPTX),
    _(
        "The file's content is not a PDF, an office document "
        "(ODT, ODS, ODP, DOCX, XLSX, PPTX) or a JPG or PNG image."
    ),
)


def validate_upload(
    upload: File,
    *,
    allowed: Accepted = DOCUMENTS,
    max_mb: int | None = None,
    field: str | None = None,
) -> FileType:
    """Refuse a file that is too large, whose content is not of an allowed type,
    or whose name's extension does not match its content. Returns the type.

    `max_mb` defaults to settings.UPLOAD_MAX_MB; with `field` the error is keyed
    so that add_service_errors puts it next to that field. The file is left
    rewound, ready to be saved."""
    try:
        return _check(upload, allowed, settings.UPLOAD_MAX_MB if max_mb is None else max_mb)
    except ValidationError as exc:
        if field is None:
            raise
        raise ValidationError({field: exc.error_list}) from None


def _check(upload: File, allowed: Accepted, max_mb: int) -> FileType:
    if upload.size is None or upload.size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is larger than %(mb)s MB."), code="too_large", params={"mb": max_mb}
        )
    kind = detect_type(upload)
    if kind not in allowed.types:
        raise ValidationError(allowed.refusal, code="wrong_type")  # type: ignore[arg-type]
    if _extension(upload.name or "") not in kind.extensions:
        raise ValidationError(
            _(
                "The file's name does not match its content: it is a %(type)s file, "
                "so its name should end in .%(extension)s."
            ),
            code="wrong_extension",
            params={"type": kind.label, "extension": kind.extension},
        )
    return kind


def detect_type(upload: File) -> FileType | None:
    """The file's type judged by its content (None when not one we know)."""
    upload.seek(0)
    try:
        head = upload.read(HEAD_BYTES)
        guess = filetype.guess(head)
        if guess is None:
            return _xml_type(head)
        if guess.extension in _ZIP_LIKE:
            return _zip_type(upload)
        return _BY_EXTENSION.get(guess.extension)
    finally:
        upload.seek(0)


def _zip_type(upload: IO[bytes] | File) -> FileType | None:
    """An OpenDocument or Office Open XML file by what the archive holds; a plain zip is None."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                with archive.open("mimetype") as entry:
                    mime = entry.read(100).decode("ascii", "replace").strip()
                return _ODF_BY_MIME.get(mime)
            if "[Content_Types].xml" in names:
                for folder, kind in _OOXML_BY_FOLDER.items():
                    if any(name.startswith(folder) for name in names):
                        return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        pass
    return None


def _xml_type(head: bytes) -> FileType | None:
    """XML by its start: an optional BOM and whitespace, then `<?xml` or a root element."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not (text.startswith(b"<?xml") or text[:1] == b"<" and text[1:2].isalpha()):
        return None
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut in the middle of a character at the end of the head is fine.
        if exc.start < len(text) - 4:
            return None
    return XML


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def original_filename(name: str) -> str:
    """The name the user gave, safe to keep and to send back in a header:
    no folders, no control or direction-changing characters, not too long."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(
        " " if unicodedata.category(ch)[0] == "Z" else ch
        for ch in name
        if unicodedata.category(ch)[0] != "C"
    )
    name = " ".join(name.split()).strip(" .")
    if len(name) > FILENAME_MAX:
        ext = _extension(name)
        keep = FILENAME_MAX - len(ext) - 1 if ext else FILENAME_MAX
        name = f"{name[:keep].rstrip(' .')}.{ext}" if ext else name[:keep]
    return name


def random_upload_name(prefix: str, filename: str) -> str:
    """`<prefix>/<year>/<random>.<ext>`: nothing of the user's name but the
    extension, which validate_upload has already matched to the content."""
    kind = _BY_EXTENSION.get(_extension(filename))
    suffix = f".{kind.extension}" if kind else ""
    return f"{prefix}/{timezone.localdate():%Y}/{uuid.uuid4().hex}{suffix}"


def upload_response(stored: FieldFile, *, filename: str = "") -> FileResponse:
    """Send a stored upload as a download under its original name (404 when
    there is none). Views call this only after their permission check."""
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = _BY_EXTENSION.get(_extension(stored.name))  # type: ignore[arg-type]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=original_filename(filename) or stored.name.rsplit("/", 1)[-1],  # type: ignore[union-attr]
        content_type=kind.mime if kind else "application/octet-stream",
    )
    # Personal data: no copy in a shared or browser cache.
    response["Cache-Control"] = "private, no-store"
    return response
