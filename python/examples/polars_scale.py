"""Scaling out on Polars: N synthetic cases (default 100,000) evaluated with
`LazyFrame.map_batches` over refuge's Arrow API, in the streaming engine
(each batch handed to Rust, which spreads its rows over all cores), then a
sample checked against the `refuge` command line.

    python polars_scale.py [N] [--sample K] [--refuge PATH]
"""

import argparse
import time

import polars as pl

import cases
import refuge


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=100_000)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--refuge", default="target/release/refuge")
    args = ap.parse_args()

    policy = refuge.compile()
    table = cases.generate(policy, args.n)
    frame = pl.from_arrow(table)
    verdicts = policy.verdicts

    # The output schema, from one row (map_batches needs it up front).
    probe = pl.from_arrow(policy.evaluate_arrow(table.slice(0, 1), errors="column"))

    def evaluate(batch: pl.DataFrame) -> pl.DataFrame:
        return pl.from_arrow(policy.evaluate_arrow(batch, errors="column"))

    start = time.perf_counter()
    result = (
        frame.lazy()
        .map_batches(evaluate, schema=probe.schema, streamable=True)
        .collect(engine="streaming")
    )
    seconds = time.perf_counter() - start
    assert result.height == args.n, result.height
    assert result.columns == verdicts + ["error"]

    sampled, compared = cases.check_against_cli(table, result.to_arrow(), args.sample, args.refuge)
    failed = result["error"].is_not_null().sum()
    print(f"polars: {args.n} cases in {seconds:.2f} s = {args.n / seconds:,.0f} rows/s "
          f"({len(verdicts)} verdicts each; {failed} rows failed as the CLI does); "
          f"{sampled} sampled rows match the CLI ({compared} outcomes)")


if __name__ == "__main__":
    main()
