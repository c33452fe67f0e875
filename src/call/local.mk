# src/call: build fragment (included by Makefile.am)
