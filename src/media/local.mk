# src/media: build fragment (included by Makefile.am)
# G.711 media path: RTP/RTCP (RFC 3550), jitter buffer, A⇄µ, the per-call
# stream joining an RTP session to a TDM channel (src/media/media.h).
src_libstrowger_a_SOURCES += \
	src/media/rtp.c src/media/rtp_sock.c src/media/rtcp.c src/media/g711.c \
	src/media/jbuf.c src/media/stream.c src/media/stream_rtcp.c src/media/worker.c \
	src/media/mbox.c src/media/totals.c
noinst_HEADERS += \
	src/media/media.h src/media/rtp.h src/media/rtcp.h src/media/g711.h \
	src/media/jbuf.h src/media/stream_int.h

MEDIA_TESTS = tests/unit/media/test_rtp tests/unit/media/test_rtp_sock \
	tests/unit/media/test_rtcp tests/unit/media/test_g711 \
	tests/unit/media/test_jbuf tests/unit/media/test_stream tests/unit/media/test_stream_dir \
	tests/unit/media/test_worker tests/unit/media/test_totals
check_PROGRAMS += $(MEDIA_TESTS)
TESTS += $(MEDIA_TESTS)
tests_unit_media_test_rtp_SOURCES = tests/unit/media/test_rtp.c
tests_unit_media_test_rtp_CFLAGS = $(TEST_CFLAGS)
tests_unit_media_test_rtp_LDADD = $(TEST_LDADD)
tests_unit_media_test_rtp_sock_SOURCES = tests/unit/media/test_rtp_sock.c
tests_unit_media_test_rtp_sock_CFLAGS = $(TEST_CFLAGS)
tests_unit_media_test_rtp_sock_LDADD = $(TEST_LDADD)
tests_unit_media_test_rtcp_SOURCES = tests/unit/media/test_rtcp.c
tests_unit_media_test_rtcp_CFLAGS = $(TEST_CFLAGS)
tests_unit_media_test_rtcp_LDADD = $(TEST_LDADD)
tests_unit_media_test_g711_SOURCES = tests/unit/media/test_g711.c
tests_unit_media_test_g711_CFLAGS = $(TEST_CFLAGS)
tests_unit_media_test_g711_LDADD = $(TEST_LDADD)
tests_unit_media_test_jbuf_SOURCES = tests/unit/media/test_jbuf.c
tests_unit_media_test_jbuf_CFLAGS = $(TEST_CFLAGS)
tests_unit_media_test_jbuf_LDADD = $(TEST_LDADD)
STREAM_FX = tests/unit/media/stream_fx.c tests/unit/media/stream_fx.h
tests_unit_media_test_stream_SOURCES = tests/unit/media/test_stream.c $(STREAM_FX)
tests_unit_media_test_stream_CFLAGS = $(TEST_CFLAGS)
tests_unit_media_test_stream_LDADD = $(TEST_LDADD)
tests_unit_media_test_stream_dir_SOURCES = tests/unit/media/test_stream_dir.c $(STREAM_FX)
tests_unit_media_test_stream_dir_CFLAGS = $(TEST_CFLAGS)
tests_unit_media_test_stream_dir_LDADD = $(TEST_LDADD)
tests_unit_media_test_totals_SOURCES = tests/unit/media/test_totals.c $(STREAM_FX)
tests_unit_media_test_totals_CFLAGS = $(TEST_CFLAGS)
tests_unit_media_test_totals_LDADD = $(TEST_LDADD)
tests_unit_media_test_worker_SOURCES = tests/unit/media/test_worker.c
tests_unit_media_test_worker_CFLAGS = $(TEST_CFLAGS)
tests_unit_media_test_worker_LDADD = $(TEST_LDADD) -lpthread

# Benchmark: G.711 calls on one core (`make bench`).
EXTRA_PROGRAMS += tests/bench/bench_media
BENCH_BINS += tests/bench/bench_media
tests_bench_bench_media_SOURCES = tests/bench/bench_media.c
tests_bench_bench_media_LDADD = $(LDADD) -lpthread

FUZZ_TARGETS += tests/fuzz/fuzz_rtp
EXTRA_DIST += tests/fuzz/fuzz_rtp.c tests/fuzz/corpus/fuzz_rtp

# The media bridge: a TDM channel joined to an RTP stream, with tones (bridge.h).
src_libstrowger_a_SOURCES += src/media/bridge.c src/media/bridge_tone.c
noinst_HEADERS += src/media/bridge.h

check_PROGRAMS += tests/unit/media/test_bridge
TESTS += tests/unit/media/test_bridge
tests_unit_media_test_bridge_SOURCES = tests/unit/media/test_bridge.c
tests_unit_media_test_bridge_CFLAGS = $(TEST_CFLAGS)
tests_unit_media_test_bridge_LDADD = $(TEST_LDADD)
