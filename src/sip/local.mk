# src/sip: build fragment (included by Makefile.am)
