# Java: solutions build with `javac -proc:none` and run on the JVM; the driver needs no jars.
# Uses an existing JDK (javac and java on PATH); otherwise installs Debian's default-jdk-headless.
# Analysers: javac -Xlint comes with the JDK; checkstyle 10 comes from Maven Central (through
# mvn) into /usr/local/lib/mpm-bench, behind a `checkstyle` wrapper in /usr/local/bin, because
# Debian's checkstyle 8.36 cannot parse Java 17 (sealed types, local enums and records). Without
# mvn, or when that fails, Debian's checkstyle is the fallback.
CHECKSTYLE_VERSION=10.26.1
if command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then
  javac -version
else
  apt_install default-jdk-headless
  javac -version
fi

install_checkstyle() {
  need_root "installing checkstyle into /usr/local"
  command -v mvn >/dev/null 2>&1 || return 1
  local lib=/usr/local/lib/mpm-bench/checkstyle-$CHECKSTYLE_VERSION work
  work=$(mktemp -d)
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.mpm-bench</groupId><artifactId>checkstyle-fetch</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies><dependency>
    <groupId>com.puppycrawl.tools</groupId><artifactId>checkstyle</artifactId>
    <version>$CHECKSTYLE_VERSION</version>
  </dependency></dependencies>
</project>
POM
  if ! (cd "$work" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$work/lib"); then
    rm -rf "$work"; return 1
  fi
  mkdir -p "$(dirname "$lib")"
  rm -rf "$lib" && mv "$work/lib" "$lib" && rm -rf "$work"
  cat >/usr/local/bin/checkstyle <<SH
#!/bin/sh
# checkstyle $CHECKSTYLE_VERSION from Maven Central, installed by pytest-mpm-bench's
# scripts/toolchains/java.sh; JAVA_ARGS are JVM options, as for Debian's wrapper.
exec java \$JAVA_ARGS -cp '$lib/*' com.puppycrawl.tools.checkstyle.Main "\$@"
SH
  chmod 755 /usr/local/bin/checkstyle
}

if ! checkstyle --version 2>/dev/null | grep -q "$CHECKSTYLE_VERSION"; then
  install_checkstyle || { echo "checkstyle from Maven Central failed; using Debian's" >&2
                          apt_install checkstyle; }
fi
checkstyle --version
