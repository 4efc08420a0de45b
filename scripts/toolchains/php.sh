# PHP: solutions run under the system php-cli (8.x) with its ini files from /etc/php.
# php-mbstring gives the mb_* string functions idiomatic PHP solutions use.
apt_install php-cli php-mbstring
php --version | head -n 1
