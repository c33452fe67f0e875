# sim: build fragment (included by Makefile.am)
