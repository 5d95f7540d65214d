#!/usr/bin/env bash
# Sets up the Spark peer once, in the engine cache, and prints two lines for the caller to eval:
#   SPARK_VENV=<venv with pyspark 3.5.7 and matplotlib>   SPARK_JARS=<comma-separated jar list>
# - the venv from requirements.txt (PyPI, pinned), named after the file's hash;
# - the connectors from pom.xml (Maven Central, pinned) with their runtime dependencies, minus every
#   jar whose artifact pyspark already ships (a second copy of Spark, Scala or Hadoop classes on the
#   class path breaks it), compared by artifact name without the version.
# A second call only prints the lines.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${RDSTREAM_ENGINE_CACHE:-$HOME/.cache/rdstream/engines}
venv="$cache/peers-spark-venv-$(sha256sum "$here/requirements.txt" | cut -c1-12)"
if [[ ! -f "$venv/.complete" ]]; then
  echo "spark setup: pyspark and matplotlib from PyPI into $venv (pyspark is ~320 MB)" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-compile -r "$here/requirements.txt" >&2
  touch "$venv/.complete"
fi
pyspark_jars=$("$venv/bin/python" -c 'import os, pyspark; print(os.path.join(os.path.dirname(pyspark.__file__), "jars"))')
jars="$cache/peers-spark-jars-$(sha256sum "$here/pom.xml" | cut -c1-12)"
if [[ ! -f "$jars/.complete" ]]; then
  echo "spark setup: the Kafka and Cassandra connectors from Maven Central into $jars" >&2
  rm -rf "$jars.tmp"; mkdir -p "$jars.tmp/all" "$jars.tmp/lib"
  (cd "$here" && mvn -B -q -Dstyle.color=never dependency:copy-dependencies -DoutputDirectory="$jars.tmp/all" -DincludeScope=runtime) >&2
  # artifact name of a jar file: everything before the "-<digit>" that starts its version
  name_of() { sed -E 's/-[0-9][^-]*(-[A-Za-z0-9.]+)*\.jar$//; s/\.jar$//' <<<"$1"; }
  declare -A shipped
  for j in "$pyspark_jars"/*.jar; do shipped[$(name_of "$(basename "$j")")]=1; done
  for j in "$jars.tmp/all"/*.jar; do
    n=$(name_of "$(basename "$j")")
    if [[ -n "${shipped[$n]:-}" ]]; then echo "spark setup: pyspark ships $n, leaving out $(basename "$j")" >&2
    else mv "$j" "$jars.tmp/lib/"; fi
  done
  rm -rf "$jars.tmp/all"; touch "$jars.tmp/.complete"
  rm -rf "$jars"; mv "$jars.tmp" "$jars"
fi
echo "SPARK_VENV=$venv"
echo "SPARK_JARS=$(ls "$jars"/lib/*.jar | paste -sd, -)"
