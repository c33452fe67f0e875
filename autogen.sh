#!/bin/sh
# Regenerate the autotools build files (configure, Makefile.in, build-aux/).
set -e
cd "$(dirname "$0")"
autoreconf --install --force
