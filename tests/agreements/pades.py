"""A real PAdES-signed PDF for the tests: a self-signed certificate made with
`cryptography`, the PDF signed with pyHanko, one signature per signer."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def self_signed(common_name: str, organisation: str = "Testowo") -> tuple[object, object]:
    """A key and a self-signed certificate for `common_name`, valid around now."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def plain_pdf(text: str = "Porozumienie o współpracy") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html lang='pl'><body><p>{text}</p></body></html>").write_pdf()


def sign_pdf(pdf: bytes, *signers: str) -> bytes:
    """`pdf` signed in turn by each named signer (incremental updates, PAdES)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers as pyhanko_signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    for index, name in enumerate(signers, start=1):
        key, cert = self_signed(name)
        asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        asn1_key = asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        signer = pyhanko_signers.SimpleSigner(
            signing_cert=asn1_cert,
            signing_key=asn1_key,
            cert_registry=SimpleCertificateStore.from_certs([asn1_cert]),
        )
        out = pyhanko_signers.sign_pdf(
            IncrementalPdfFileWriter(BytesIO(pdf)),
            pyhanko_signers.PdfSignatureMetadata(field_name=f"Podpis{index}"),
            signer=signer,
        )
        pdf = out.getvalue()
    return pdf


def xades(common_name: str, signing_time: str) -> bytes:
    """A minimal XAdES-shaped XML: a ds:Signature with the signer's certificate
    and the declared signing time (not a verifiable signature)."""
    import base64

    _key, cert = self_signed(common_name)
    der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xades="http://uri.etsi.org/01903/v1.3.2#">
  <ds:SignedInfo/>
  <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
  <ds:Object><xades:QualifyingProperties><xades:SignedProperties><xades:SignedSignatureProperties>
    <xades:SigningTime>{signing_time}</xades:SigningTime>
  </xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object>
</ds:Signature>""".encode()
