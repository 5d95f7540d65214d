#!/usr/bin/env bash
# Builds the peers benchmark's Java tools into the engine cache and prints the classpath to run them
# with (`java -cp "$(bench/peers/java-loader/build.sh)" rdstream.bench.Loader ...`). The jars come
# from Maven Central through pom.xml (pinned); the classes are compiled with javac for Java 17.
# Cached by the hash of pom.xml and the sources: a second call only prints the path.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${RDSTREAM_ENGINE_CACHE:-$HOME/.cache/rdstream/engines}
hash=$(cat "$here/pom.xml" "$here"/src/main/java/rdstream/bench/*.java | sha256sum | cut -c1-12)
dest="$cache/peers-java-$hash"
if [[ ! -f "$dest/.complete" ]]; then
  rm -rf "$dest.tmp"; mkdir -p "$dest.tmp/lib" "$dest.tmp/classes"
  (cd "$here" && mvn -B -q -Dstyle.color=never dependency:copy-dependencies -DoutputDirectory="$dest.tmp/lib" -DincludeScope=runtime) >&2 ||
    { echo "java-loader: mvn could not resolve the dependencies (Maven Central)" >&2; exit 1; }
  javac --release 17 -nowarn -cp "$dest.tmp/lib/*" -d "$dest.tmp/classes" "$here"/src/main/java/rdstream/bench/*.java >&2
  touch "$dest.tmp/.complete"
  rm -rf "$dest"; mv "$dest.tmp" "$dest"
fi
echo "$dest/classes:$dest/lib/*"
