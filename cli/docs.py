"""`gt docs`: documents filed on repair orders (quotes, invoices, packing slips, release
certificates, photos)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    JsonOpt,
    UserOpt,
    acting_user,
    app_instance,
    handles_errors,
    out,
    print_json,
    table,
)

docs_cli = typer.Typer(no_args_is_help=True, help="Documents on repair orders.")


def _filed_json(filed) -> dict:
    return {
        "document": filed.document,
        "already_on_file": filed.already,
        "certificate": filed.match.as_json() if filed.match else None,
    }


@docs_cli.command("add")
@handles_errors
def docs_add(
    number: str,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    kind: Annotated[
        str | None,
        typer.Option(help="quote, invoice, packing slip, release certificate, photo, other."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="The name to file it under.")] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """File a document on an RO (type checked by content; certificates are read)."""
    app = app_instance()
    actor = acting_user(app, user)
    limit = app.documents.max_bytes
    if path.stat().st_size > limit:  # refuse before reading a huge file into memory
        from domain.documents.files import check_size

        check_size(path.stat().st_size, limit, path.name)
    filed = app.documents.add(actor, number, name or path.name, path.read_bytes(), kind=kind)
    if as_json:
        print_json(_filed_json(filed))
        return
    doc = filed.document
    verb = "was already on" if filed.already else "filed on"
    out.print(
        f"Document {doc.id} {doc.name} ({doc.kind.replace('_', ' ')}, {doc.size_text}) "
        f"{verb} RO {doc.ro_number}.",
        highlight=False,
    )
    if filed.match:
        out.print(filed.match.describe(), highlight=False)


@docs_cli.command("list")
@handles_errors
def docs_list(
    number: str,
    removed: Annotated[bool, typer.Option("--removed", help="Include removed documents.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """An RO's documents and its release-certificate state."""
    app = app_instance()
    docs = app.documents.list(number, include_removed=removed)
    state = app.documents.certificate_state(number)
    if as_json:
        print_json({"documents": docs, "certificate": state})
        return
    table(
        f"Documents on RO {number}",
        ["Id", "Kind", "Name", "Size", "By", "When", "Removed"],
        [
            [
                d.id,
                d.kind.replace("_", " "),
                d.name,
                d.size_text,
                d.uploaded_by,
                f"{d.uploaded_at:%Y-%m-%d %H:%M}",
                f"{d.removed_at:%Y-%m-%d} by {d.removed_by}" if d.removed_at else "",
            ]
            for d in docs
        ],
    )
    out.print(state["description"], highlight=False)


@docs_cli.command("get")
@handles_errors
def docs_get(
    document_id: int,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the file here.")
    ] = None,
    link: Annotated[
        bool,
        typer.Option(
            "--link",
            help="A short-lived download link from the SharePoint library (expires in minutes).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """One document's record (and its content with --output, or a download link with --link)."""
    app = app_instance()
    if link:
        _print_link(app, document_id, as_json)
        return
    if output is not None:
        doc, content = app.documents.content(document_id)
        output.write_bytes(content)
    else:
        doc = app.documents.get(document_id)
    if as_json:
        print_json({"document": doc, "written_to": str(output) if output else None})
        return
    out.print(
        f"Document {doc.id}: {doc.name} ({doc.kind.replace('_', ' ')}, {doc.size_text}) on RO "
        f"{doc.ro_number}, filed by {doc.uploaded_by} {doc.uploaded_at:%Y-%m-%d %H:%M} UTC; "
        f"sha256 {doc.sha256}.",
        highlight=False,
    )
    for field, item in (doc.extracted or {}).items():
        out.print(
            f"  {field.replace('_', ' ')}: {item['value']} ({item['source']}, "
            f"{item['confidence']:.0%})",
            highlight=False,
        )
    if output is not None:
        out.print(f"Written to {output}.", highlight=False)


def _print_link(app, document_id: int, as_json: bool) -> None:
    from domain.errors import InvalidInput
    from jobs.operations.documents import LINK_EXPIRES

    linked = app.documents.download_link(document_id)
    if linked is None:
        raise InvalidInput(
            f"Document {document_id} is in the local store, which gives no links: "
            "use --output PATH to write the file."
        )
    doc, url = linked
    if as_json:
        print_json({"document": doc, "link": url, "expires": LINK_EXPIRES})
        return
    out.print(
        f"Document {doc.id}: {doc.name} on RO {doc.ro_number}. Download link (expires in "
        f"{LINK_EXPIRES}; anyone with it can open the file until then):",
        highlight=False,
    )
    out.print(url, highlight=False, soft_wrap=True)


@docs_cli.command("rm")
@handles_errors
def docs_rm(
    document_id: int,
    reason: Annotated[str | None, typer.Option(help="Why, for the RO's history.")] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove a document from its RO (kept on record: removal is a marker)."""
    app = app_instance()
    actor = acting_user(app, user)
    doc = app.documents.remove(actor, document_id, reason)
    if as_json:
        print_json({"document": doc})
        return
    out.print(f"Document {doc.id} ({doc.name}) removed from RO {doc.ro_number}.", highlight=False)
