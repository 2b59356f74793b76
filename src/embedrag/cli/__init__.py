"""The ``embedrag`` command line (typer + rich). Library code never imports this package."""
