"""The Spark peer of the peers benchmark (bench/peers/README.md): the seed's Spark job
(jobs/spark_stream.py + plugins/spark_streamer.py of the RDStream project, docs/compat.md) as it
meant to run: read the topic from its earliest offset, parse each value with from_json and the
seed's schema (every column a string), select its columns and append them to the Cassandra table
through the Spark Cassandra Connector. Differences from the seed, all settings of the harness: the
addresses, keyspace and table come from flags; the connectors are passed with --jars (not
spark.jars.packages: nothing is fetched at run time); the checkpoint is a fresh directory per run;
the trigger is Trigger.AvailableNow (the bulk run: read what is there, write it, stop) or a
processing-time trigger (the paced run). The keyspace and table are created by the harness, as the
seed's CassandraConnector did before starting the query.

  spark-submit --master local[2] --jars ... spark_job.py --bootstrap H:P --topic T \
      --cassandra-host H --cassandra-port P --keyspace K --table T --checkpoint DIR \
      [--trigger available-now | --trigger 500ms]
"""
import argparse

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, from_json
from pyspark.sql.types import StringType, StructField, StructType

# The seed's databases.cassandra_db.created_users.schema: every column StringType, nullable False
# (from_json reads them as nullable anyway).
COLUMNS = ["id", "first_name", "last_name", "gender", "address", "post_code", "email", "username",
           "registered_date", "phone", "picture"]
SCHEMA = StructType([StructField(c, StringType(), False) for c in COLUMNS])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--cassandra-host", default="127.0.0.1")
    ap.add_argument("--cassandra-port", default="9042")
    ap.add_argument("--keyspace", default="spark_streams")
    ap.add_argument("--table", default="created_users")
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--trigger", default="available-now")
    args = ap.parse_args()

    spark = (SparkSession.builder.appName("SparkDataStreaming")
             .config("spark.cassandra.connection.host", args.cassandra_host)
             .config("spark.cassandra.connection.port", args.cassandra_port)
             .config("spark.cassandra.auth.username", "cassandra")
             .config("spark.cassandra.auth.password", "cassandra")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")

    kafka_df = (spark.readStream.format("kafka")
                .option("kafka.bootstrap.servers", args.bootstrap)
                .option("subscribe", args.topic)
                .option("startingOffsets", "earliest")
                .load())
    selection = (kafka_df.selectExpr("CAST(value AS STRING)")
                 .select(from_json(col("value"), SCHEMA).alias("data"))
                 .select("data.*"))
    writer = (selection.writeStream
              .format("org.apache.spark.sql.cassandra")
              .option("checkpointLocation", args.checkpoint)
              .option("keyspace", args.keyspace)
              .option("table", args.table)
              .outputMode("append"))
    if args.trigger == "available-now":
        writer = writer.trigger(availableNow=True)
    else:
        writer = writer.trigger(processingTime=args.trigger)
    query = writer.start()
    query.awaitTermination()
    spark.stop()


if __name__ == "__main__":
    main()
