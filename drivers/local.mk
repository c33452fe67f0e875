# drivers: build fragment (included by Makefile.am)
