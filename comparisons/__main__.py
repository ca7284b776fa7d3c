"""Command line: `python -m comparisons [--json FILE]` (also installed as `purejax-compare`).

    python -m comparisons                  # the parity report, every section
    python -m comparisons --only random    # one section
    python -m comparisons list             # the components and models, one line each
    python -m comparisons train MODEL      # train purejax and Flax side by side (see --help)
    python -m comparisons source NAME      # the two implementations side by side (--html FILE)
"""
from __future__ import annotations

import argparse
import sys


def _list() -> int:
    import importlib

    from comparisons.parity import DESCRIPTIONS, SECTIONS
    from purejax.models import MODELS

    print("components (python -m comparisons --only NAME):")
    for name in SECTIONS:
        print(f"  {name:19s} {DESCRIPTIONS.get(name, '')}")
    print("models (python -m comparisons train NAME; source NAME):")
    for name in MODELS:
        doc = (importlib.import_module(f"purejax.models.{name}").__doc__ or "").strip().splitlines()
        print(f"  {name:19s} {doc[0] if doc else ''}")
    return 0


def _train(argv) -> int:
    from purejax.models import MODELS

    parser = argparse.ArgumentParser(
        prog="python -m comparisons train",
        description="Train a model's purejax and flaxed versions from the same variables on the same batches.")
    parser.add_argument("model", help=f"one of: {', '.join(MODELS)}")
    parser.add_argument("--steps", type=int, help="training steps (default: the model's budget)")
    parser.add_argument("--batch-size", type=int, help="examples per batch (default: the model's)")
    parser.add_argument("--lr", type=float, help="learning rate (default: the model's)")
    parser.add_argument("--seed", type=int, default=0, help="root PRNG seed (default 0)")
    parser.add_argument("--out", help="output folder (default runs/MODEL/)")
    parser.add_argument("--text", metavar="FILE", help="lstm_lm: train on this text file instead of Python's sources")
    parser.add_argument("--no-plot", action="store_true", help="write metrics.json only")
    args = parser.parse_args(argv)
    if args.model not in MODELS:
        parser.error(f"unknown model {args.model!r}; choose from: {', '.join(MODELS)}")
    from comparisons import train

    return train.run(args.model, args.steps, args.batch_size, args.lr, args.seed, args.out, args.text,
                     plot=not args.no_plot)


def _source(argv) -> int:
    from comparisons import source

    parser = argparse.ArgumentParser(
        prog="python -m comparisons source",
        description="Show a purejax implementation beside its Flax/Optax/JAX counterpart, aligned by definition.")
    parser.add_argument("name", nargs="?", help="a model, layer or optimizer (no name: list them)")
    parser.add_argument("--html", metavar="FILE", help="write the view as a self-contained HTML page to FILE")
    parser.add_argument("--width", type=int, metavar="N", help="total width in columns (default: the terminal's)")
    parser.add_argument("--numbers", action="store_true", help="show line numbers")
    args = parser.parse_args(argv)
    return source.run(args.name, html=args.html, width=args.width, numbers=args.numbers)


def main(argv=None) -> int:
    from comparisons.parity import SECTIONS

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["train"]:
        return _train(argv[1:])
    if argv[:1] == ["source"]:
        return _source(argv[1:])

    parser = argparse.ArgumentParser(
        prog="python -m comparisons",
        description="Show that purejax computes what JAX, Flax and Optax compute.",
    )
    parser.add_argument("command", nargs="?", default="report", choices=["report", "list", "train", "source"],
                        help="report (default): the parity table; list: the components and models; "
                             "train MODEL: side-by-side training (train --help); "
                             "source NAME: the two implementations side by side (source --help)")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON to FILE")
    parser.add_argument("--only", metavar="SECTION", action="append", choices=sorted(SECTIONS),
                        help="run only this section (repeatable)")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    from comparisons import report

    return report.main(json_path=args.json, sections=args.only)


if __name__ == "__main__":
    sys.exit(main())
