# Ruby: solutions run under the system ruby (3.x); json ships with it.
apt_install ruby
ruby --version
