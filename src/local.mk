# The daemon: main.c is thin (arguments → config → loop).
src_libstrowger_a_SOURCES += src/gwconf.c
noinst_HEADERS += src/gwconf.h
bin_PROGRAMS += strowger
strowger_SOURCES = src/main.c
sgconfdir = $(sysconfdir)/strowger
dist_sgconf_DATA = conf/strowger.conf

TESTS += tests/scenario/check_config.sh
EXTRA_DIST += tests/scenario/check_config.sh
check_PROGRAMS += tests/unit/daemon/test_gwconf
TESTS += tests/unit/daemon/test_gwconf
tests_unit_daemon_test_gwconf_SOURCES = tests/unit/daemon/test_gwconf.c
tests_unit_daemon_test_gwconf_CFLAGS = $(TEST_CFLAGS)
tests_unit_daemon_test_gwconf_LDADD = $(TEST_LDADD)
