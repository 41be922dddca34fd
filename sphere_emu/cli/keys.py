"""``sphere-emu keys``: make and inspect ECDSA P-256 signing keys and certificates."""

import click


@click.group(name="keys")
def command() -> None:
    """Make and inspect signing keys and certificates."""


@command.command(name="create")
@click.argument("name")
@click.option("--ca", "ca_key", metavar="KEY.key.pem|development",
              help="Have this CA issue the certificate (default: self-signed). "
                   "'development' is the bundled development CA.")
@click.option("--ca-cert", type=click.Path(),
              help="Certificate of --ca, if it is not beside the key.")
@click.option("--is-ca", is_flag=True, help="Make a CA certificate (it can issue others).")
@click.option("--common-name", help="Subject CN (default: NAME's file name).")
@click.option("--force", is_flag=True, help="Overwrite existing NAME.key.pem/NAME.cert.pem.")
def create(name, ca_key, ca_cert, is_ca, common_name, force) -> None:
    """Make NAME.key.pem (mode 0600) and NAME.cert.pem."""
    from ..trust.keys import create_key, development_ca, load_certificate, load_signer

    issuer = None
    if ca_key == "development":
        issuer = development_ca()
    elif ca_key:
        issuer = load_signer(ca_key, ca_cert)
    key_path, cert_path = create_key(name, issuer=issuer, ca=is_ca, common_name=common_name,
                                     force=force)
    cert = load_certificate(cert_path)
    click.echo(f"key:         {key_path}\ncertificate: {cert_path}\n"
               f"thumbprint:  {cert.thumbprint.hex()}\nkey hash:    {cert.key_hash.hex()}")


@command.command(name="show")
@click.argument("certificate", type=click.Path())
def show(certificate) -> None:
    """Print a certificate's subject, issuer, thumbprint and key hash."""
    from ..trust.keys import load_certificate

    cert = load_certificate(certificate)
    click.echo(f"subject:     {cert.subject}\nissuer:      {cert.issuer}\n"
               f"CA:          {'yes' if cert.is_ca else 'no'}\n"
               f"thumbprint:  {cert.thumbprint.hex()}  (SHA-1, what packages name)\n"
               f"key hash:    {cert.key_hash.hex()}  (SHA-256, what a root-of-trust fuse holds)")
