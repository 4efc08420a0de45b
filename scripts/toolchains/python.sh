# Python solutions run under the system interpreter, which a sandboxed uid can read.
apt_install python3
