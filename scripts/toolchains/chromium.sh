# Chromium: only the project's own tests need it, to load the --mpm-html dashboard headless
# (tests/test_html_browser.py skips without it). Debian's package: /usr/bin/chromium.
apt_install chromium
chromium --version
