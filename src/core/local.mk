# core: event loop, clock, log, configuration, FSM helper, mem, list.
src_libstrowger_a_SOURCES += \
	src/core/mem.c src/core/clock.c src/core/loop.c src/core/log.c \
	src/core/conf.c src/core/conf_bind.c src/core/fsm.c src/core/hash.c
noinst_HEADERS += \
	src/core/mem.h src/core/list.h src/core/clock.h src/core/loop.h \
	src/core/log.h src/core/conf.h src/core/conf_priv.h src/core/fsm.h src/core/hash.h

CORE_TESTS = tests/unit/core/test_mem tests/unit/core/test_loop tests/unit/core/test_loop_timer \
	tests/unit/core/test_conf tests/unit/core/test_conf_bind tests/unit/core/test_log tests/unit/core/test_fsm \
	tests/unit/core/test_hash
check_PROGRAMS += $(CORE_TESTS)
TESTS += $(CORE_TESTS)
tests_unit_core_test_mem_SOURCES = tests/unit/core/test_mem.c
tests_unit_core_test_mem_CFLAGS = $(TEST_CFLAGS)
tests_unit_core_test_mem_LDADD = $(TEST_LDADD)
tests_unit_core_test_loop_SOURCES = tests/unit/core/test_loop.c tests/unit/core/loop_fx.h
tests_unit_core_test_loop_CFLAGS = $(TEST_CFLAGS)
tests_unit_core_test_loop_LDADD = $(TEST_LDADD)
tests_unit_core_test_loop_timer_SOURCES = tests/unit/core/test_loop_timer.c tests/unit/core/loop_fx.h
tests_unit_core_test_loop_timer_CFLAGS = $(TEST_CFLAGS)
tests_unit_core_test_loop_timer_LDADD = $(TEST_LDADD)
tests_unit_core_test_conf_SOURCES = tests/unit/core/test_conf.c tests/unit/core/conf_fx.h
tests_unit_core_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_unit_core_test_conf_LDADD = $(TEST_LDADD)
tests_unit_core_test_conf_bind_SOURCES = tests/unit/core/test_conf_bind.c tests/unit/core/conf_fx.h
tests_unit_core_test_conf_bind_CFLAGS = $(TEST_CFLAGS)
tests_unit_core_test_conf_bind_LDADD = $(TEST_LDADD)
tests_unit_core_test_log_SOURCES = tests/unit/core/test_log.c
tests_unit_core_test_log_CFLAGS = $(TEST_CFLAGS)
tests_unit_core_test_log_LDADD = $(TEST_LDADD)
tests_unit_core_test_fsm_SOURCES = tests/unit/core/test_fsm.c
tests_unit_core_test_fsm_CFLAGS = $(TEST_CFLAGS)
tests_unit_core_test_fsm_LDADD = $(TEST_LDADD)
tests_unit_core_test_hash_SOURCES = tests/unit/core/test_hash.c
tests_unit_core_test_hash_CFLAGS = $(TEST_CFLAGS)
tests_unit_core_test_hash_LDADD = $(TEST_LDADD)
EXTRA_DIST += tests/unit/core/testdata

FUZZ_TARGETS += tests/fuzz/fuzz_conf
EXTRA_DIST += tests/fuzz/fuzz_conf.c tests/fuzz/corpus/fuzz_conf
