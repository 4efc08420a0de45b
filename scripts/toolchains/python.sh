# Python solutions run under the system interpreter, which a sandboxed uid can read.
# python3-venv: Debian's python3 refuses `pip install` outside a virtual environment (PEP 668),
# so the README's quick start makes one (`python3 -m venv .venv`).
apt_install python3 python3-venv
