# src/pstn: build fragment (included by Makefile.am)
