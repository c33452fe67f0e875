# src/sip server location (RFC 3263 on c-ares): its own fragment until the
# SIP stack's fragment takes it in.
src_libstrowger_a_SOURCES += src/sip/resolve.c src/sip/resolve_3263.c
noinst_HEADERS += src/sip/resolve.h src/sip/resolve_int.h
check_PROGRAMS += tests/unit/sip/test_resolve
TESTS += tests/unit/sip/test_resolve
tests_unit_sip_test_resolve_SOURCES = tests/unit/sip/test_resolve.c \
	tests/unit/sip/dns_fake.c tests/unit/sip/dns_fake.h
tests_unit_sip_test_resolve_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_resolve_LDADD = $(TEST_LDADD)
