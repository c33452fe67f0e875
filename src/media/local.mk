# src/media: build fragment (included by Makefile.am)
