# src/sip digest authentication (RFC 7616): its own fragment until the SIP
# stack's fragment takes it in.
src_libstrowger_a_SOURCES += src/sip/auth.c src/sip/auth_parse.c src/sip/auth_srv.c
noinst_HEADERS += src/sip/auth.h
check_PROGRAMS += tests/unit/sip/test_auth
TESTS += tests/unit/sip/test_auth
tests_unit_sip_test_auth_SOURCES = tests/unit/sip/test_auth.c
tests_unit_sip_test_auth_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_auth_LDADD = $(TEST_LDADD)
FUZZ_TARGETS += tests/fuzz/fuzz_auth
EXTRA_DIST += tests/fuzz/fuzz_auth.c tests/fuzz/corpus/fuzz_auth
