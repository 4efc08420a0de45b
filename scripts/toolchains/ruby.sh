# Ruby: solutions run under the system ruby (3.x); json ships with it.
# rubocop scores idiomaticity and best practices (observe/analysers/ruby.py).
apt_install ruby rubocop
ruby --version
rubocop --version
