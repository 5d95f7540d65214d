"""The seed's Airflow DAG for rdstream: one task that streams users from the API into Kafka for 60 s.

The seed's DAG (`user_automation`; its README triggers it as `stream_to_kafka`) ran a Python task,
`stream_data_from_api`, that fetched users from randomuser.me and produced them to the
`users_created` topic for one minute. Here the same task runs

    rdstream ingest --duration 60 --staging postgres [RDSTREAM_INGEST_ARGS...]

which does that job (docs/compat.md "Names") and stages every fetched page in PostgreSQL first. Both
DAG ids exist, built by the same factory, so either name works:

    airflow dags trigger user_automation      # or: airflow dags trigger stream_to_kafka

`user_automation` runs @daily from 2023-09-03 10:00 without catch-up, as the seed's did (so, once
unpaused, it runs for the latest day at once), and on demand by the command above.
`stream_to_kafka` is the same task on demand only: scheduled too, it would ingest every day twice.
One run of each at a time; two ingests at once (say, one of each) take turns on the staging outbox.

Environment, read by the task's shell when it runs (not when the file is parsed), so it is the
environment of the process that runs the task (the worker; `airflow dags test` itself):

- RDSTREAM_BIN: the rdstream binary (e.g. /path/to/build/src/cli/rdstream); `rdstream` on PATH if unset.
- RDSTREAM_INGEST_ARGS: extra flags appended to the command, split on whitespace (no quoting, no
  globbing), e.g. `--url http://127.0.0.1:8088/api/ --state-dir /path/to/rdstream/var`.
- Everything else rdstream reads from its environment (RDSTREAM_API_URL, RDSTREAM_KAFKA,
  RDSTREAM_STATE_DIR, RDSTREAM_CONFIG, ...) is passed through as well (append_env=True).
  `rdstream stack up --with airflow` sets RDSTREAM_BIN, RDSTREAM_STATE_DIR, RDSTREAM_KAFKA and
  RDSTREAM_STAGING_PORT for its own engines; whatever else is in the environment of `stack up`
  (RDSTREAM_API_URL, RDSTREAM_CONFIG) reaches the task too.
- RDSTREAM_DAG_RETRIES and RDSTREAM_DAG_RETRY_DELAY_S (read when the file is parsed, by the
  dag-processor): the retry policy, 2 retries 30 s apart by default.

The command runs in a fresh temporary directory, so give the state directory (where the staging
PostgreSQL's password is) as an absolute path, by --state-dir or RDSTREAM_STATE_DIR; rdstream's
default, `var`, would be relative to that temporary directory.

rdstream's output (its ingest summary line) goes to the task log. Any non-zero exit fails the try
(exit code 99 too: BashOperator's default would mark that one skipped); a failed try is retried
twice, 30 s apart.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

# Expanded by bash when the task runs. `set -f` keeps RDSTREAM_INGEST_ARGS from being globbed; it is
# split on whitespace on purpose (several flags). `exec` makes rdstream the task's process, so its
# exit code is the task's and a stopped task's SIGTERM reaches it directly. Nothing is redirected:
# stdout and stderr go to the task log.
INGEST_COMMAND = (
    "set -f; "
    'exec "${RDSTREAM_BIN:-rdstream}" ingest --duration 60 --staging postgres ${RDSTREAM_INGEST_ARGS:-}'
)

default_args = {
    "owner": "rdstream",
    "retries": int(os.environ.get("RDSTREAM_DAG_RETRIES", "2")),
    "retry_delay": timedelta(seconds=float(os.environ.get("RDSTREAM_DAG_RETRY_DELAY_S", "30"))),
    # 60 s of ingest plus its flush (up to 120 s) and start-up: a run still going after 10 min hangs.
    "execution_timeout": timedelta(minutes=10),
}


def make_dag(dag_id: str, schedule: str | None) -> DAG:
    """The seed's DAG under `dag_id`: from the seed's start date, one ingest task."""
    with DAG(
        dag_id=dag_id,
        description="rdstream ingest: users from the API into Kafka for 60 s (staged in PostgreSQL)",
        default_args=default_args,
        schedule=schedule,
        start_date=datetime(2023, 9, 3, 10, 00),
        catchup=False,
        max_active_runs=1,
        tags=["rdstream"],
        doc_md=__doc__,
    ) as dag:
        BashOperator(
            task_id="stream_data_from_api",
            bash_command=INGEST_COMMAND,
            append_env=True,
            skip_on_exit_code=None,
        )
    return dag


user_automation = make_dag("user_automation", "@daily")
stream_to_kafka = make_dag("stream_to_kafka", None)
