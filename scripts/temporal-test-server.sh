#!/usr/bin/env bash
# Installs Temporal's time-skipping test server (Java, from Maven Central; the version is
# in scripts/temporal-test-server/pom.xml) into the tools folder, once per version and
# JVM, and prints the path of its launcher `bin/temporal-test-server <port>`.
#
# Start-up matters: the SDK gives the server 5 s to accept connections, and a plain JVM
# took 2-5 s to listen on this 2-core machine under load. A class-data archive (AppCDS)
# recorded by one training start, C1 only and the serial collector bring that under 1 s
# (figures in README.md, Tests). The launcher `exec`s java because the SDK stops it with
# SIGKILL, which must reach the JVM and not a shell around it. Needs java (17+) and mvn.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POM="$ROOT/scripts/temporal-test-server/pom.xml"
VERSION="$(sed -n 's:.*<temporal.version>\(.*\)</temporal.version>.*:\1:p' "$POM")"
BIN="$CLIPWISE_TOOLS_DIR/bin"
LAUNCHER="$BIN/temporal-test-server"
HOME_DIR="$CLIPWISE_TOOLS_DIR/temporal-test-server-$VERSION"
LOG="$CLIPWISE_TOOLS_DIR/logs/temporal-test-server.log"
mkdir -p "$BIN" "$CLIPWISE_TOOLS_DIR/logs"

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! command -v "$JAVA" >/dev/null 2>&1; then
  say "java (17 or later) is needed for the workflow tests' Temporal test server; install a JDK"
  exit 1
fi
JAVA="$(readlink -f "$(command -v "$JAVA")")"
# The archive belongs to one JVM build and one classpath, the launcher to this script: any
# of them changing means a new install.
STAMP="$VERSION $("$JAVA" -version 2>&1 | head -n 2 | tr '\n' ' ')$(cat "$POM" "${BASH_SOURCE[0]}" | sha1sum | cut -c1-12)"

installed() { [ -x "$LAUNCHER" ] && [ "$(cat "$LAUNCHER.version" 2>/dev/null)" = "$STAMP" ]; }
if installed; then
  echo "$LAUNCHER"
  exit 0
fi

# Two sessions may install at once into the shared tools folder: one does it, the other waits.
exec 9>"$CLIPWISE_TOOLS_DIR/temporal-test-server.lock"
command -v flock >/dev/null 2>&1 && flock 9
if installed; then
  echo "$LAUNCHER"
  exit 0
fi
if ! command -v mvn >/dev/null 2>&1; then
  say "mvn is needed once to fetch the Temporal test server from Maven Central; install Maven"
  exit 1
fi

started=$SECONDS
say "fetching the Temporal test server $VERSION from Maven Central (first run only)"
staging="$(mktemp -d "$CLIPWISE_TOOLS_DIR/temporal-test-server.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
# Run from a copy of the pom so Maven leaves nothing in the repository.
cp "$POM" "$staging/pom.xml"
if ! (cd "$staging" && mvn -q -B dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$staging/lib") >"$LOG" 2>&1; then
  say "fetching the Temporal test server failed; see $LOG"
  tail -n 20 "$LOG" >&2
  exit 1
fi
rm -rf "$HOME_DIR"
mv "$staging/lib" "$HOME_DIR"
CLASSPATH_JARS="$(find "$HOME_DIR" -maxdepth 1 -name '*.jar' | LC_ALL=C sort | paste -sd: -)"

JVM_FLAGS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m)
# One training start records the classes loaded up to listening; later starts map them.
ARCHIVE="$HOME_DIR/classes.jsa"
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  return 1
}
port="$(free_port)"
"$JAVA" "${JVM_FLAGS[@]}" -XX:ArchiveClassesAtExit="$ARCHIVE" -Xlog:cds=off -Xlog:cds+dynamic=off \
  -cp "$CLASSPATH_JARS" io.temporal.testserver.TestServer "$port" >>"$LOG" 2>&1 &
training=$!
for _ in $(seq 1 600); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$training" 2>/dev/null || break
  sleep 0.1
done
# SIGTERM ends the JVM normally, which is when it writes the archive.
kill -TERM "$training" 2>/dev/null || true
wait "$training" 2>/dev/null || true
ARCHIVE_FLAGS=()
if [ -s "$ARCHIVE" ]; then
  ARCHIVE_FLAGS=(-XX:SharedArchiveFile="$ARCHIVE" -Xlog:cds=off -Xlog:cds+dynamic=off)
else
  say "no class-data archive was written (see $LOG); the test server will start without it"
fi

{
  echo '#!/usr/bin/env bash'
  echo "# Temporal time-skipping test server $VERSION, written by scripts/temporal-test-server.sh."
  echo '# Usage: temporal-test-server <port> [--enable-time-skipping]'
  printf 'exec'
  printf ' %q' "$JAVA" "${JVM_FLAGS[@]}" "${ARCHIVE_FLAGS[@]}" -cp "$CLASSPATH_JARS" io.temporal.testserver.TestServer
  echo ' "$@"'
} >"$staging/launcher"
chmod +x "$staging/launcher"
mv "$staging/launcher" "$LAUNCHER"
echo "$STAMP" >"$LAUNCHER.version"
say "installed the Temporal test server $VERSION in $((SECONDS - started)) s"
echo "$LAUNCHER"
