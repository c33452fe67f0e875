# src/pstn: ISDN signalling on libpri (build fragment included by Makefile.am)
src_libstrowger_a_SOURCES += \
	src/pstn/isdn_conf.c src/pstn/isdn_ctrl.c src/pstn/isdn_event.c \
	src/pstn/isdn_call.c src/pstn/isdn_call_api.c src/pstn/isdn_chan.c \
	src/pstn/isdn_time.c src/pstn/isdn_q931.c src/pstn/isdn_q931_fmt.c \
	src/pstn/isdn_pcap.c src/pstn/isdn_pipe.c src/pstn/isdn_tdm.c \
	src/pstn/isdn_switch.c src/pstn/isdn_switch_script.c src/pstn/isdn_switch_media.c
noinst_HEADERS += \
	src/pstn/isdn.h src/pstn/isdn_int.h src/pstn/isdn_q931.h src/pstn/isdn_pipe.h \
	src/pstn/isdn_switch.h src/pstn/isdn_switch_int.h tests/unit/pstn/isdn_b2b.h

# Criterion suites: one program each, sharing the back-to-back bench.
ISDN_TESTS = tests/unit/pstn/test_isdn_conf tests/unit/pstn/test_isdn_q931 \
	tests/unit/pstn/test_isdn_call tests/unit/pstn/test_isdn_link \
	tests/unit/pstn/test_isdn_switch tests/unit/pstn/test_isdn_tdm \
	tests/unit/pstn/test_isdn_switch_audio
check_PROGRAMS += $(ISDN_TESTS)
TESTS += $(ISDN_TESTS)
ISDN_B2B = tests/unit/pstn/isdn_b2b.c
ISDN_TEST_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_pstn_test_isdn_conf_SOURCES = tests/unit/pstn/test_isdn_conf.c
tests_unit_pstn_test_isdn_conf_CFLAGS = $(ISDN_TEST_CFLAGS)
tests_unit_pstn_test_isdn_conf_LDADD = $(TEST_LDADD)
tests_unit_pstn_test_isdn_q931_SOURCES = tests/unit/pstn/test_isdn_q931.c $(ISDN_B2B)
tests_unit_pstn_test_isdn_q931_CFLAGS = $(ISDN_TEST_CFLAGS)
tests_unit_pstn_test_isdn_q931_LDADD = $(TEST_LDADD)
tests_unit_pstn_test_isdn_call_SOURCES = tests/unit/pstn/test_isdn_call.c $(ISDN_B2B)
tests_unit_pstn_test_isdn_call_CFLAGS = $(ISDN_TEST_CFLAGS)
tests_unit_pstn_test_isdn_call_LDADD = $(TEST_LDADD)
tests_unit_pstn_test_isdn_link_SOURCES = tests/unit/pstn/test_isdn_link.c $(ISDN_B2B)
tests_unit_pstn_test_isdn_link_CFLAGS = $(ISDN_TEST_CFLAGS)
tests_unit_pstn_test_isdn_link_LDADD = $(TEST_LDADD)
tests_unit_pstn_test_isdn_switch_SOURCES = tests/unit/pstn/test_isdn_switch.c $(ISDN_B2B)
tests_unit_pstn_test_isdn_switch_CFLAGS = $(ISDN_TEST_CFLAGS)
tests_unit_pstn_test_isdn_switch_LDADD = $(TEST_LDADD)
# On drivers/dahdi over the simulated DAHDI (tests/unit/sim/simtest.h).
tests_unit_pstn_test_isdn_tdm_SOURCES = tests/unit/pstn/test_isdn_tdm.c $(ISDN_B2B)
tests_unit_pstn_test_isdn_tdm_CFLAGS = $(ISDN_TEST_CFLAGS)
tests_unit_pstn_test_isdn_tdm_LDADD = $(TEST_LDADD)
tests_unit_pstn_test_isdn_switch_audio_SOURCES = tests/unit/pstn/test_isdn_switch_audio.c \
	$(ISDN_B2B)
tests_unit_pstn_test_isdn_switch_audio_CFLAGS = $(ISDN_TEST_CFLAGS)
tests_unit_pstn_test_isdn_switch_audio_LDADD = $(TEST_LDADD)

# Interop: tshark decodes the pcap trace of a call (TAP; skips without tshark).
check_PROGRAMS += tests/interop/isdn_trace_call
tests_interop_isdn_trace_call_SOURCES = tests/interop/isdn_trace_call.c
tests_interop_isdn_trace_call_LDADD = $(LDADD)
TESTS += tests/interop/isdn_tshark.sh
EXTRA_DIST += tests/interop/isdn_tshark.sh

# Benchmark: PRI call cycles per CPU-second, bare libpri vs. the controllers
# (through drivers/dahdi on the sim, over a socketpair, in memory).
EXTRA_PROGRAMS += tests/bench/bench_pri
BENCH_BINS += tests/bench/bench_pri
tests_bench_bench_pri_SOURCES = tests/bench/bench_pri.c
tests_bench_bench_pri_LDADD = $(LDADD)

FUZZ_TARGETS += tests/fuzz/fuzz_q931
EXTRA_DIST += tests/fuzz/fuzz_q931.c tests/fuzz/corpus/fuzz_q931
