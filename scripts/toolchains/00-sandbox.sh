# The sandbox: bubblewrap (bwrap) isolates every solution run.
apt_install bubblewrap
