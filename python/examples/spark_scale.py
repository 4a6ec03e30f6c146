"""Scaling out on Apache Spark (local mode): N synthetic cases (default
100,000) written to Parquet, read by Spark and evaluated with
`DataFrame.mapInArrow`: each Spark task hands its Arrow batches to refuge,
compiled once per Python worker. A sample is checked against the `refuge`
command line. Spark distributes the same code over a cluster unchanged.

    python spark_scale.py [N] [--sample K] [--refuge PATH] [--cores C]
"""

import argparse
import os
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

import cases
import refuge

def _policy():
    """The policies, compiled once per Python worker process: kept on the
    imported `refuge` module, which a reused worker keeps between tasks
    (this function itself is shipped to the workers by value)."""
    import refuge as module
    cached = getattr(module, "_scale_policy", None)
    if cached is None:
        cached = module._scale_policy = module.compile()
    return cached


# Spark reads a dot in a column name as a field access: the fact paths
# travel as `defector__nk_ties` and are put back in the worker.
SEP = "__"


def evaluate_batches(batches):
    policy = _policy()
    for batch in batches:
        batch = batch.rename_columns([n.replace(SEP, ".") for n in batch.schema.names])
        yield policy.evaluate_arrow(batch, errors="column")


def spark_type(arrow_type):
    from pyspark.sql import types as T
    if arrow_type == pa.bool_():
        return T.BooleanType()
    if arrow_type == pa.int64():
        return T.LongType()
    if arrow_type == pa.date32():
        return T.DateType()
    return T.StringType()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=100_000)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--refuge", default="target/release/refuge")
    ap.add_argument("--cores", default="*")
    args = ap.parse_args()

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T

    policy = refuge.compile()
    table = cases.generate(policy, args.n)
    work = tempfile.mkdtemp()
    # Row groups of 10,000 rows and small splits: several partitions (one task
    # per core), read back in file order.
    assert not any(SEP in n for n in table.schema.names)
    spark_table = table.rename_columns([n.replace(".", SEP) for n in table.schema.names])
    pq.write_table(spark_table, os.path.join(work, "cases.parquet"), row_group_size=10_000)

    spark = (
        SparkSession.builder.master(f"local[{args.cores}]")
        .appName("refuge-scale")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.files.maxPartitionBytes", str(2 * 1024 * 1024))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        frame = spark.read.parquet(os.path.join(work, "cases.parquet"))
        probe = policy.evaluate_arrow(table.slice(0, 1), errors="column")
        schema = T.StructType([T.StructField(f.name, spark_type(f.type), True) for f in probe.schema])
        start = time.perf_counter()
        out = frame.mapInArrow(evaluate_batches, schema)
        result = pa.Table.from_batches(out._collect_as_arrow()) if hasattr(out, "_collect_as_arrow") else out.toArrow()
        seconds = time.perf_counter() - start
    finally:
        spark.stop()
    assert result.num_rows == args.n, result.num_rows
    # Spark keeps row order within a partition and partitions in file order.
    sampled, compared = cases.check_against_cli(table, result, args.sample, args.refuge)
    failed = sum(1 for e in result.column("error").to_pylist() if e)
    print(f"spark: {args.n} cases in {seconds:.2f} s = {args.n / seconds:,.0f} rows/s "
          f"(local[{args.cores}], {len(policy.verdicts)} verdicts each; {failed} rows failed as the CLI does); "
          f"{sampled} sampled rows match the CLI ({compared} outcomes)")


if __name__ == "__main__":
    main()
