# PHP: solutions run under the system php-cli (8.x) with its ini files from /etc/php.
# php-mbstring gives the mb_* string functions idiomatic PHP solutions use.
# php-codesniffer (phpcs, PSR-12) scores idiomaticity (observe/analysers/php.py).
apt_install php-cli php-mbstring php-codesniffer
php --version | head -n 1
phpcs --version
