# Java: solutions build with `javac -proc:none` and run on the JVM; the driver needs no jars.
# Uses an existing JDK (javac and java on PATH); otherwise installs Debian's default-jdk-headless.
if command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then
  javac -version
else
  apt_install default-jdk-headless
  javac -version
fi
